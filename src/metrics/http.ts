import type { Context } from 'hono';
import type { Metrics } from './metrics.ts';

/** `GET /metrics`: the Prometheus text of the process's registry (ingest and worker alike). */
export async function metricsResponse(c: Context, metrics: Metrics): Promise<Response> {
  return c.text(await metrics.text(), 200, { 'content-type': metrics.registry.contentType });
}

import { Hono, type MiddlewareHandler } from 'hono';
import { metricsResponse } from '../metrics/http.ts';
import type { Metrics } from '../metrics/metrics.ts';

/**
 * What `talon worker` serves on `worker_metrics_port`: `/healthz` (200 while the worker runs, for
 * probes) and `/metrics` (actions, notifications, process, Temporal SDK). Nothing else: alerts go
 * to the ingest.
 */
export function workerApp(deps: { metrics: Metrics; running: () => boolean; metricsGuard: MiddlewareHandler }): Hono {
  const app = new Hono();
  app.all('/healthz', (c) => (deps.running() ? c.json({ status: 'ok' }) : c.json({ status: 'stopping' }, 503)));
  app.all('/metrics', deps.metricsGuard, (c) => metricsResponse(c, deps.metrics));
  app.all('*', (c) => c.json({ error: 'not found: the worker serves /healthz and /metrics; alerts go to the ingest' }, 404));
  return app;
}

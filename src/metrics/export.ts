import type { Resource } from '@opentelemetry/resources';
import type { TalonConfig } from '../config/schema.ts';
import type { Metrics } from './metrics.ts';

/**
 * Pushes every metric of `/metrics` (ours, the process's, the Temporal SDK's) over OTLP gRPC every
 * `otel.metrics_interval_seconds` when `otel.metrics_enabled`; off, the OTel metrics SDK and its
 * exporter are not even loaded.
 */
export async function startMetricsExport(otel: TalonConfig['otel'], resource: Resource, metrics: Metrics): Promise<{ shutdown(): Promise<void> }> {
  if (!otel.metrics_enabled) return { shutdown: () => Promise.resolve() };
  const { exportMetrics } = await import('./otlp-export.ts');
  return exportMetrics(otel, resource, metrics);
}

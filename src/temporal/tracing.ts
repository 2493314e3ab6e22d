import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TalonConfig } from '../config/schema.ts';

/** This process's tracing: spans go over OTLP gRPC to `otel.collector_endpoint:collector_port`. */
export interface Tracing {
  readonly enabled: boolean;
  readonly resource: Resource;
  /** Where workflow spans (sent by the workflow interceptors through the worker's sink) go. */
  readonly spanProcessor: SpanProcessor;
  shutdown(): Promise<void>;
}

/**
 * Sets up tracing from Talon's `otel.*` keys: one trace per alert, from the ingest request through
 * the workflow start to each activity (Temporal's OpenTelemetry interceptors carry the context in
 * workflow and activity headers). Disabled, everything is a no-op, and the exporter, gRPC and the
 * context manager are not even loaded (tracing-export.ts).
 */
export async function startTracing(otel: TalonConfig['otel'], role: string): Promise<Tracing> {
  const resource = new Resource({ 'service.name': 'talon', 'talon.role': role });
  if (!otel.traces_enabled) {
    return { enabled: false, resource, spanProcessor: new NoopSpanProcessor(), shutdown: () => Promise.resolve() };
  }
  const { exportTraces } = await import('./tracing-export.ts');
  return exportTraces(otel, resource);
}

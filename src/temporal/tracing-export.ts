import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TalonConfig } from '../config/schema.ts';
import { collectorOptions } from '../otel/collector.ts';
import type { Tracing } from './tracing.ts';

/** The enabled half of startTracing: the global tracer provider, exporting over OTLP gRPC. */
export function exportTraces(otel: TalonConfig['otel'], resource: Resource): Tracing {
  const exporter = new OTLPTraceExporter(collectorOptions(otel));
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  trace.setGlobalTracerProvider(provider);
  // The active span follows async calls (AsyncLocalStorage), and crosses into workflows and
  // activities as W3C trace context in Temporal's headers.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    enabled: true,
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

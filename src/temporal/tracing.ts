import { credentials } from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
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
 * workflow and activity headers). Disabled, everything is a no-op.
 */
export function startTracing(otel: TalonConfig['otel'], role: string): Tracing {
  const resource = new Resource({ 'service.name': 'talon', 'talon.role': role });
  if (!otel.traces_enabled) {
    return { enabled: false, resource, spanProcessor: new NoopSpanProcessor(), shutdown: () => Promise.resolve() };
  }
  const url = `${otel.collector_use_insecure_grpc ? 'http' : 'https'}://${otel.collector_endpoint}:${otel.collector_port}`;
  const exporter = new OTLPTraceExporter({
    url,
    timeoutMillis: otel.timeout * 1000,
    credentials: otel.collector_use_insecure_grpc ? credentials.createInsecure() : credentials.createSsl(),
  });
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

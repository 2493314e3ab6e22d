import { credentials } from '@grpc/grpc-js';
import type { TalonConfig } from '../config/schema.ts';

/** Where the OTLP gRPC exporters (traces and metrics) send, from Talon's `otel.*` keys. */
export function collectorOptions(otel: TalonConfig['otel']) {
  const insecure = otel.collector_use_insecure_grpc;
  return {
    url: `${insecure ? 'http' : 'https'}://${otel.collector_endpoint}:${otel.collector_port}`,
    timeoutMillis: otel.timeout * 1000,
    credentials: insecure ? credentials.createInsecure() : credentials.createSsl(),
  };
}

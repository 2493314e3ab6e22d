import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import type { SdkMetricUpdate } from '../metrics/temporal-sdk.ts';

const request = { name: 'temporal_request', kind: 'counter', description: 'Requests of the Temporal client' } as const;
const failure = { name: 'temporal_request_failure', kind: 'counter', description: 'Failed requests of the Temporal client' } as const;
const latency = { name: 'temporal_request_latency', kind: 'histogram', unit: 'duration', description: 'Latency of Temporal client requests' } as const;

/**
 * The TypeScript client runs on grpc-js, outside the SDK core that measures the worker's requests;
 * this records the same three metrics for it (per attempt: it sits inside the retry interceptor).
 */
export function clientMetricsInterceptor(record: (update: SdkMetricUpdate) => void, namespace: string): Interceptor {
  return (options, nextCall) => {
    const operation = options.method_definition.path.split('/').pop() ?? 'unknown';
    const attributes = { operation, namespace, client: 'ingest' };
    const started = performance.now();
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            record({ metric: request, value: 1, attributes });
            record({ metric: latency, value: (performance.now() - started) / 1000, attributes });
            if (status.code !== grpcStatus.OK) record({ metric: failure, value: 1, attributes: { ...attributes, status_code: String(status.code) } });
            nextStatus(status);
          },
        });
      },
    });
  };
}

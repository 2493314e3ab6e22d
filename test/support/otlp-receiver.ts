import { createRequire } from 'node:module';
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';

// A real OTLP gRPC receiver in the test process: it decodes the protobuf requests with the OTLP
// definitions OpenTelemetry's own exporters use.

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** One received data point: the metric's name and kind, the point's attributes and value, and its resource's. */
export interface MetricPoint {
  name: string;
  kind: 'sum' | 'gauge' | 'histogram';
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  /** The value of a sum or gauge; the count of a histogram. */
  value: number;
}

type Message = { decode(b: Buffer): unknown; toObject(m: unknown, o: object): unknown };
const root = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: Message } }; metrics: { v1: { ExportMetricsServiceRequest: Message } } } } };
};

type KeyValues = { key: string; value: Record<string, unknown> }[] | undefined;
const attributesOf = (kvs: KeyValues) => Object.fromEntries((kvs ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

type TraceRequest = {
  resourceSpans?: { scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: KeyValues }[] }[] }[];
};
type NumberPoint = { attributes?: KeyValues; asDouble?: number; asInt?: string | number; count?: string | number };
type MetricsRequest = {
  resourceMetrics?: {
    resource?: { attributes?: KeyValues };
    scopeMetrics?: {
      metrics?: { name: string; sum?: { dataPoints?: NumberPoint[] }; gauge?: { dataPoints?: NumberPoint[] }; histogram?: { dataPoints?: NumberPoint[] } }[];
    }[];
  }[];
};

function unary(path: string, message: Message): ServiceDefinition[string] {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: Buffer) => v,
    requestDeserialize: (b: Buffer) => message.toObject(message.decode(b), { bytes: String, longs: String, defaults: false }),
    responseSerialize: () => Buffer.alloc(0),
    responseDeserialize: (b: Buffer) => b,
  };
}

export async function otlpReceiver(): Promise<{ port: number; spans: Span[]; metrics: MetricPoint[]; stop(): void }> {
  const spans: Span[] = [];
  const metrics: MetricPoint[] = [];
  const server = new Server();
  const v1 = root.opentelemetry.proto.collector;
  server.addService(
    { Export: unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export', v1.trace.v1.ExportTraceServiceRequest) },
    {
      Export: (call: { request: TraceRequest }, callback: (error: null, reply: object) => void) => {
        const hex = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString('hex') : '');
        for (const rs of call.request.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                traceId: hex(s.traceId),
                spanId: hex(s.spanId),
                parentSpanId: hex(s.parentSpanId),
                name: s.name,
                attributes: attributesOf(s.attributes),
              });
        callback(null, {});
      },
    },
  );
  server.addService(
    { Export: unary('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', v1.metrics.v1.ExportMetricsServiceRequest) },
    {
      Export: (call: { request: MetricsRequest }, callback: (error: null, reply: object) => void) => {
        for (const rm of call.request.resourceMetrics ?? []) {
          const resource = attributesOf(rm.resource?.attributes);
          for (const sm of rm.scopeMetrics ?? [])
            for (const m of sm.metrics ?? [])
              for (const kind of ['sum', 'gauge', 'histogram'] as const)
                for (const p of m[kind]?.dataPoints ?? [])
                  metrics.push({
                    name: m.name,
                    kind,
                    resource,
                    attributes: attributesOf(p.attributes),
                    value: Number(kind === 'histogram' ? p.count : (p.asDouble ?? p.asInt)),
                  });
        }
        callback(null, {});
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { port, spans, metrics, stop: () => server.forceShutdown() };
}

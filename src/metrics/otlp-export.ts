import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { TalonConfig } from '../config/schema.ts';
import { collectorOptions } from '../otel/collector.ts';
import type { Metrics } from './metrics.ts';

type PromMetric = MetricObjectWithValues<MetricValue<string> & { metricName?: string }>;

const attributesOf = (labels: Record<string, string | number | undefined>): Attributes =>
  Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string | number] => entry[1] !== undefined));

const descriptor = (name: string, description: string, type: InstrumentType) => ({ name, description, unit: '', type, valueType: ValueType.DOUBLE });

/** A prom-client histogram's cumulative `_bucket` series, regrouped per label set as one OTel histogram point each. */
function histogramPoints(metric: PromMetric, startTime: HrTime, endTime: HrTime) {
  const series = new Map<string, { attributes: Attributes; bounds: Map<number, number>; sum: number; count: number }>();
  for (const value of metric.values) {
    const { le, ...labels } = value.labels as Record<string, string | number | undefined>;
    const key = JSON.stringify(labels);
    const entry = series.get(key) ?? { attributes: attributesOf(labels), bounds: new Map(), sum: 0, count: 0 };
    series.set(key, entry);
    if (value.metricName?.endsWith('_bucket') && le !== undefined && le !== '+Inf') entry.bounds.set(Number(le), value.value);
    else if (value.metricName?.endsWith('_sum')) entry.sum = value.value;
    else if (value.metricName?.endsWith('_count')) entry.count = value.value;
  }
  return [...series.values()].map(({ attributes, bounds, sum, count }) => {
    const boundaries = [...bounds.keys()].sort((a, b) => a - b);
    const cumulative = [...boundaries.map((b) => bounds.get(b) ?? 0), count];
    const counts = cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]!));
    return { startTime, endTime, attributes, value: { buckets: { boundaries, counts }, sum, count } };
  });
}

/** One prom-client metric as OTel metric data: counters are cumulative monotonic sums named without `_total`. */
export function toOtel(metric: PromMetric, startTime: HrTime, endTime: HrTime): MetricData[] {
  const points = () => metric.values.map((v) => ({ startTime, endTime, attributes: attributesOf(v.labels), value: v.value }));
  const temporality = AggregationTemporality.CUMULATIVE;
  // prom-client's typings declare a numeric enum; its JSON carries the type's name.
  switch (metric.type as unknown as string) {
    case 'counter':
      return [
        {
          descriptor: descriptor(metric.name.replace(/_total$/, ''), metric.help, InstrumentType.COUNTER),
          aggregationTemporality: temporality,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: points(),
        },
      ];
    case 'gauge':
      return [
        {
          descriptor: descriptor(metric.name, metric.help, InstrumentType.GAUGE),
          aggregationTemporality: temporality,
          dataPointType: DataPointType.GAUGE,
          dataPoints: points(),
        },
      ];
    case 'histogram':
      return [
        {
          descriptor: descriptor(metric.name, metric.help, InstrumentType.HISTOGRAM),
          aggregationTemporality: temporality,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: histogramPoints(metric, startTime, endTime),
        },
      ];
    default:
      // Summaries: none of ours; quantiles do not map onto an OTel histogram.
      return [];
  }
}

/** Hands the registry's metrics (ours, process, Temporal SDK) to the OTel SDK's reader at each export. */
class RegistryProducer implements MetricProducer {
  private readonly startTime = hrTime();
  constructor(
    private readonly metrics: Metrics,
    private readonly resource: Resource,
  ) {}

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const all = (await this.metrics.values()) as PromMetric[];
    return {
      resourceMetrics: {
        resource: this.resource,
        scopeMetrics: [{ scope: { name: 'talon' }, metrics: all.flatMap((m) => toOtel(m, this.startTime, endTime)) }],
      },
      errors: [],
    };
  }
}

/** The enabled half of startMetricsExport: every metric of /metrics, pushed over OTLP gRPC periodically. */
export function exportMetrics(otel: TalonConfig['otel'], resource: Resource, metrics: Metrics): { shutdown(): Promise<void> } {
  const exporter = new OTLPMetricExporter(collectorOptions(otel));
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: otel.metrics_interval_seconds * 1000,
    exportTimeoutMillis: Math.min(otel.timeout, otel.metrics_interval_seconds) * 1000,
    metricProducers: [new RegistryProducer(metrics, resource)],
  });
  const provider = new MeterProvider({ resource, readers: [reader] });
  return { shutdown: () => provider.shutdown() };
}

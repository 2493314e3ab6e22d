import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** One update of a Temporal SDK metric, as the SDK's metrics buffer hands it out. */
export interface SdkMetricUpdate {
  readonly metric: {
    readonly name: string;
    readonly kind: 'counter' | 'histogram' | 'gauge' | 'up-down-counter';
    readonly unit?: string;
    readonly description?: string;
  };
  /** A delta for counters; the value itself for gauges and histograms. */
  readonly value: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Tags Temporal's SDK core and our client put on their metrics. prom-client fixes a metric's label
 * names at creation, so a metric takes these plus its first update's; a tag seen only later is dropped.
 */
const SDK_LABELS = [
  'namespace',
  'task_queue',
  'workflow_type',
  'activity_type',
  'operation',
  'poller_type',
  'worker_type',
  'status_code',
  'service_name',
  'eager',
  'slot_type',
  'failure_reason',
  'client',
];

/** Seconds, the SDK buffer being set to report durations in seconds. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type SdkMetric = Counter | Gauge | Histogram;

/** The prom-client metric that stands for an SDK metric: counters get Prometheus' `_total` suffix. */
export function sdkMetric(registry: Registry, update: Pick<SdkMetricUpdate, 'metric' | 'attributes'>): { metric: SdkMetric; labelNames: Set<string> } {
  const { kind, unit, description } = update.metric;
  const name = kind === 'counter' ? `${update.metric.name}_total` : update.metric.name;
  const existing = registry.getSingleMetric(name) as (SdkMetric & { labelNames?: string[] }) | undefined;
  if (existing) return { metric: existing, labelNames: new Set(existing.labelNames ?? SDK_LABELS) };
  const labelNames = [...new Set([...SDK_LABELS, ...Object.keys(update.attributes)])];
  const help = `${description || update.metric.name} (Temporal SDK${unit ? `, ${unit === 'duration' ? 's' : unit}` : ''})`;
  const common = { name, help, labelNames, registers: [registry] };
  const metric = kind === 'counter' ? new Counter(common) : kind === 'histogram' ? new Histogram({ ...common, buckets: DURATION_BUCKETS }) : new Gauge(common);
  return { metric, labelNames: new Set(labelNames) };
}

/** Moves buffered SDK metric updates into the registry (drained on every scrape and each second). */
export function recordSdkUpdates(registry: Registry, updates: Iterable<SdkMetricUpdate>): void {
  for (const update of updates) {
    const { metric, labelNames } = sdkMetric(registry, update);
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(update.attributes)) if (labelNames.has(key)) labels[key] = String(value);
    if (metric instanceof Counter) metric.inc(labels, update.value);
    else if (metric instanceof Histogram) metric.observe(labels, update.value);
    else if (update.metric.kind === 'up-down-counter') metric.inc(labels, update.value);
    else metric.set(labels, update.value);
  }
}

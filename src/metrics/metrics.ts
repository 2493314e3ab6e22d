import { Counter, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { recordSdkUpdates, type SdkMetricUpdate } from './temporal-sdk.ts';

/**
 * Prometheus metrics of one process. Talon's counter names are kept where they map; labels never
 * carry the alert text or object names (the reference's cardinality problem).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: 'falcosecurity_falco_talon_events_total',
    help: 'Events received',
    labelNames: ['event', 'priority', 'source'],
    registers: [this.registry],
  });
  readonly matches = new Counter({
    name: 'falcosecurity_falco_talon_matches_total',
    help: 'Talon rules matched by events',
    labelNames: ['rule', 'event', 'priority', 'source'],
    registers: [this.registry],
  });
  readonly ignored = new Counter({ name: 'talon_events_ignored_total', help: 'Events that matched no rule', registers: [this.registry] });
  readonly duplicates = new Counter({
    name: 'talon_events_duplicate_total',
    help: 'Events whose workflow was already running (deduplicated)',
    registers: [this.registry],
  });
  readonly started = new Counter({ name: 'talon_workflows_started_total', help: 'Playbook workflows started', registers: [this.registry] });
  readonly startLatency = new Histogram({
    name: 'talon_workflow_start_seconds',
    help: 'Time from receiving an event to Temporal accepting its workflow',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly errors = new Counter({ name: 'talon_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly actions = new Counter({
    name: 'falcosecurity_falco_talon_actions_total',
    help: 'Action attempts by outcome',
    labelNames: ['rule', 'action', 'actionner', 'status'],
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'falcosecurity_falco_talon_notifications_total',
    help: 'Notifications by outcome',
    labelNames: ['notifier', 'status'],
    registers: [this.registry],
  });

  /** Sources drained into the registry before it is read: the Temporal SDK's metrics buffer. */
  private readonly drains = new Set<() => void>();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one Temporal SDK metric update (the client's requests). */
  readonly recordSdk = (update: SdkMetricUpdate): void => recordSdkUpdates(this.registry, [update]);

  /**
   * Moves what `retrieve` hands out (the SDK core's metrics buffer: worker, pollers, slots, the
   * worker's requests) into the registry each second, so the buffer never fills, and before every
   * read. Returns the function that stops it.
   */
  followSdkMetrics(retrieve: () => Iterable<SdkMetricUpdate>): () => void {
    const drain = () => recordSdkUpdates(this.registry, retrieve());
    this.drains.add(drain);
    const timer = setInterval(drain, 1000).unref();
    return () => {
      clearInterval(timer);
      drain();
      this.drains.delete(drain);
    };
  }

  /** The Prometheus text of every metric, SDK metrics drained first. */
  async text(): Promise<string> {
    for (const drain of this.drains) drain();
    return this.registry.metrics();
  }

  /** Every metric with its values (for the OTLP export), SDK metrics drained first. */
  async values(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    for (const drain of this.drains) drain();
    return this.registry.getMetricsAsJSON();
  }
}

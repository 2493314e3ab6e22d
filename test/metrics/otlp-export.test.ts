import { DataPointType, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.ts';
import { toOtel } from '../../src/metrics/otlp-export.ts';
import { recordSdkUpdates } from '../../src/metrics/temporal-sdk.ts';

const t0: [number, number] = [1, 0];
const t1: [number, number] = [2, 0];

describe('prom-client → OTel metric data', () => {
  it('a counter is a cumulative monotonic sum named without _total, one point per label set', async () => {
    const metrics = new Metrics();
    metrics.actions.inc({ rule: 'r', action: 'a', actionner: 'kubernetes:label', status: 'success' }, 2);
    metrics.actions.inc({ rule: 'r', action: 'b', actionner: 'kubernetes:terminate', status: 'failure' });
    const json = (await metrics.values()).find((m) => m.name === 'falcosecurity_falco_talon_actions_total')!;
    const [data] = toOtel(json, t0, t1) as [SumMetricData];
    expect(data.descriptor.name).toBe('falcosecurity_falco_talon_actions');
    expect(data.dataPointType).toBe(DataPointType.SUM);
    expect(data.isMonotonic).toBe(true);
    expect(data.dataPoints.map((p) => [p.attributes['actionner'], p.value])).toEqual([
      ['kubernetes:label', 2],
      ['kubernetes:terminate', 1],
    ]);
  });

  it('a histogram keeps its bounds, per-bucket counts (not cumulative), sum and count', async () => {
    const metrics = new Metrics();
    for (const seconds of [0.001, 0.03, 0.03, 5]) metrics.startLatency.observe(seconds);
    const json = (await metrics.values()).find((m) => m.name === 'talon_workflow_start_seconds')!;
    const [data] = toOtel(json, t0, t1) as [HistogramMetricData];
    const point = data.dataPoints[0]!;
    expect(point.value.buckets.boundaries).toEqual([0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    expect(point.value.buckets.counts).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1]);
    expect(point.value.count).toBe(4);
    expect(point.value.sum).toBeCloseTo(5.061);
  });

  it('Temporal SDK updates: counters add deltas (with _total), histograms observe, gauges set; unknown late tags dropped', async () => {
    const metrics = new Metrics();
    const counter = { name: 'temporal_workflow_completed', kind: 'counter' } as const;
    recordSdkUpdates(metrics.registry, [
      { metric: counter, value: 1, attributes: { workflow_type: 'playbook', namespace: 'default' } },
      { metric: counter, value: 2, attributes: { workflow_type: 'playbook', namespace: 'default', brand_new_tag: 'x' } },
      { metric: { name: 'temporal_worker_task_slots_available', kind: 'gauge' }, value: 7, attributes: { worker_type: 'ActivityWorker' } },
      { metric: { name: 'temporal_worker_task_slots_available', kind: 'gauge' }, value: 5, attributes: { worker_type: 'ActivityWorker' } },
      { metric: { name: 'temporal_request_latency', kind: 'histogram', unit: 'duration' }, value: 0.02, attributes: { operation: 'Poll' } },
    ]);
    const text = await metrics.text();
    expect(text).toContain('temporal_workflow_completed_total{workflow_type="playbook",namespace="default"} 3');
    expect(text).toContain('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 5');
    expect(text).toContain('temporal_request_latency_count{operation="Poll"} 1');
  });

  it('a followed SDK buffer is drained before every read', async () => {
    const metrics = new Metrics();
    const pending = [{ metric: { name: 'temporal_num_pollers', kind: 'gauge' as const }, value: 3, attributes: { poller_type: 'workflow_task' } }];
    const stop = metrics.followSdkMetrics(() => pending.splice(0));
    expect(await metrics.text()).toContain('temporal_num_pollers{poller_type="workflow_task"} 3');
    stop();
  });
});

import { describe, expect, it } from 'vitest';
import { alertBody, BENCH_FALCO_RULE, ingestRulesYaml, loadYaml, manyRulesYaml } from '../../bench/alerts.ts';
import { percentile, pooled, ratePerSecond, runPool } from '../../bench/pool.ts';
import { cpuMsOf } from '../../bench/processes.ts';
import { persistenceCounts, writesPerAlert } from '../../bench/server-writes.ts';
import { decodeEvent } from '../../src/events/decode.ts';

// The bench's own helpers, so a change in rule syntax or decoding breaks a test, not a bench run.

describe('bench helpers', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('never runs more tasks at once than the concurrency allows, and counts failures', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await runPool(20, 3, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (i % 5 === 0) throw new Error('planned');
    });
    expect(most).toBe(3);
    expect(result).toMatchObject({ done: 20, failed: 4 });
  });

  it('pools runs of the same work into one rate', () => {
    const both = pooled([
      { done: 100, failed: 0, elapsedMs: 1000 },
      { done: 50, failed: 10, elapsedMs: 1000 },
    ]);
    expect(both).toEqual({ done: 150, failed: 10, elapsedMs: 2000 });
    expect(ratePerSecond(both)).toBe(70);
  });

  it("reads a process's CPU time from /proc, and NaN for one that is gone", () => {
    const before = cpuMsOf(process.pid);
    const until = performance.now() + 60;
    while (performance.now() < until); // 60 ms of CPU, counted in 10 ms ticks
    const after = cpuMsOf(process.pid);
    expect(before).toBeGreaterThan(0);
    expect(after - before).toBeGreaterThanOrEqual(30);
    expect(cpuMsOf(2 ** 22 + 1)).toBeNaN();
  });

  it("counts the Temporal server's database requests per alert, writes apart from reads", () => {
    const metrics = (created: number, gets: number, visibility: number) => `# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{namespace="default",operation="CreateWorkflowExecution",service_name="history"} ${created}
persistence_requests{namespace="default",operation="GetWorkflowExecution",service_name="history"} ${gets}
persistence_requests{namespace="temporal_system",operation="CreateWorkflowExecution",service_name="history"} 99
# TYPE persistence_latency histogram
persistence_latency_bucket{namespace="default",operation="CreateWorkflowExecution",le="1"} 7
# TYPE visibility_persistence_requests counter
visibility_persistence_requests{operation="RecordWorkflowExecutionStarted",service_name="history",visibility_plugin_name="sqlite"} ${visibility}
`;
    const before = persistenceCounts(metrics(2, 5, 2));
    expect(Object.fromEntries(before)).toEqual({
      'history:CreateWorkflowExecution': 2,
      'history:GetWorkflowExecution': 5,
      'visibility:RecordWorkflowExecutionStarted': 2,
    });
    expect(writesPerAlert(before, persistenceCounts(metrics(12, 25, 12)), 10)).toEqual({
      writes: 2,
      reads: 2,
      byOperation: { 'history:CreateWorkflowExecution': 1, 'visibility:RecordWorkflowExecutionStarted': 1 },
    });
  });

  it('generates rule files the real loader accepts, with conditions that sometimes fail', async () => {
    const ruleSet = await loadYaml(manyRulesYaml(30));
    expect(ruleSet.rules).toHaveLength(30);
    const event = (rule: string, fields: Record<string, string>) => {
      const decoded = decodeEvent(JSON.stringify({ output: 'x', priority: 'Warning', rule, output_fields: fields }));
      if (!decoded.ok) throw new Error(decoded.error);
      return decoded.event;
    };
    expect(ruleSet.match(event('Bench rule 1', {})).map((r) => r.name)).toEqual(['bench rule 1']);
    expect(ruleSet.match(event('Bench rule 3', { 'k8s.ns.name': 'ns-3', 'proc.name': 'bash' }))).toHaveLength(1);
    expect(ruleSet.match(event('Bench rule 3', { 'k8s.ns.name': 'ns-3', 'proc.name': 'sshd' }))).toHaveLength(0);
  });

  it('routes an ingest alert to one http:request action whose URL carries the alert id', async () => {
    const ruleSet = await loadYaml(ingestRulesYaml('http://127.0.0.1:9/hit'));
    const decoded = decodeEvent(alertBody('abc'));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.event.rule).toBe(BENCH_FALCO_RULE);
    const [rule] = ruleSet.match(decoded.event);
    expect(rule?.actions.map((a) => [a.actionner, a.parameters.url])).toEqual([['http:request', 'http://127.0.0.1:9/hit/${BENCH_ID}']]);
  });
});

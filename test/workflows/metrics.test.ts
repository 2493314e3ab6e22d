import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTalon, type TalonProcess } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { otlpReceiver, type MetricPoint } from '../support/otlp-receiver.ts';
import { falcoEvent, temporalAddress } from '../support/temporal.ts';

// `talon serve` and `talon worker` as separate processes, each exporting its metrics over OTLP gRPC
// to a real receiver, each serving them (ours and the Temporal SDK's) on /metrics.

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sample = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
};

describe('metrics', () => {
  it('ingest and worker export over OTLP and serve our and the Temporal SDK’s metrics on /metrics', async () => {
    const receiver = await otlpReceiver();
    cleanups.push(() => receiver.stop());
    const target = await new HttpTarget().start();
    target.route('/act', 200);
    cleanups.push(() => target.stop());
    const dir = mkdtempSync(join(tmpdir(), 'talon-metrics-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      `- rule: measured
  match: { rules: [Terminal shell in container] }
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${target.url}/act" } }
`,
    );
    const env = {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: `metrics-${randomUUID()}`,
      RULES_FILES: rules,
      LISTEN_ADDRESS: '127.0.0.1',
      OTEL_METRICS_ENABLED: 'true',
      OTEL_METRICS_INTERVAL_SECONDS: '1',
      OTEL_COLLECTOR_ENDPOINT: '127.0.0.1',
      OTEL_COLLECTOR_PORT: String(receiver.port),
      OTEL_COLLECTOR_USE_INSECURE_GRPC: 'true',
    };
    const processes: TalonProcess[] = [spawnTalon(['worker'], env), spawnTalon(['serve'], { ...env, LISTEN_PORT: '0' })];
    cleanups.push(() => Promise.all(processes.map((p) => p.kill('SIGTERM'))));
    const [worker, serve] = processes as [TalonProcess, TalonProcess];
    const workerMetrics = (await worker.waitFor(/"metrics":"(http:\/\/[^"]+)"/))[1]!;
    const ingest = (await serve.waitFor(/Ingest endpoint: (http:\/\/[\d.:]+)\//))[1]!;

    const event = falcoEvent();
    const answer = await fetch(ingest, { method: 'POST', body: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(200);
    await until('the action', () => (target.requestsTo('/act').length > 0 ? true : undefined));

    // The worker: its action counted, and the SDK core's worker metrics.
    const workerText = await until('worker metrics', async () => {
      const text = await (await fetch(workerMetrics)).text();
      return sample(text, 'falcosecurity_falco_talon_actions_total', { actionner: 'http:request', status: 'success' }) === 1 &&
        sample(text, 'temporal_activity_execution_latency_count', { activity_type: 'http:request' }) === 1 &&
        sample(text, 'temporal_workflow_completed_total', { workflow_type: 'playbook' }) === 1
        ? text
        : undefined;
    });
    expect(sample(workerText, 'temporal_long_request_total', { operation: 'PollWorkflowTaskQueue' })).toBeGreaterThan(0);
    expect(sample(workerText, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(workerText).toContain('process_resident_memory_bytes');
    expect((await fetch(`${workerMetrics.replace(/\/metrics$/, '')}/healthz`)).status).toBe(200);

    // The ingest: the event, and the client's requests to Temporal.
    const ingestText = await (await fetch(`${ingest}/metrics`)).text();
    expect(sample(ingestText, 'falcosecurity_falco_talon_events_total', { event: event.rule })).toBe(1);
    expect(sample(ingestText, 'temporal_request_total', { operation: 'StartWorkflowExecution', client: 'ingest' })).toBeGreaterThanOrEqual(1);
    expect(sample(ingestText, 'temporal_request_latency_count', { operation: 'StartWorkflowExecution' })).toBeGreaterThanOrEqual(1);

    // Over OTLP: both processes, counters as sums without `_total`, histograms, resource attributes.
    const latest = (name: string, role: string, attributes: Record<string, string> = {}) =>
      receiver.metrics
        .filter((m: MetricPoint) => m.name === name && m.resource['talon.role'] === role && Object.entries(attributes).every(([k, v]) => m.attributes[k] === v))
        .at(-1);
    const action = await until('exported action count', () =>
      latest('falcosecurity_falco_talon_actions', 'worker', { actionner: 'http:request', status: 'success' }),
    );
    expect(action).toMatchObject({ kind: 'sum', value: 1, resource: { 'service.name': 'talon' } });
    expect(await until('exported event count', () => latest('falcosecurity_falco_talon_events', 'serve'))).toMatchObject({ kind: 'sum', value: 1 });
    expect(await until('exported SDK metric', () => latest('temporal_long_request', 'worker', { operation: 'PollWorkflowTaskQueue' }))).toMatchObject({
      kind: 'sum',
    });
    const startLatency = await until('exported start latency', () => latest('talon_workflow_start_seconds', 'serve'));
    expect(startLatency).toMatchObject({ kind: 'histogram', value: 1 });
    expect(await until('exported client requests', () => latest('temporal_request', 'serve', { operation: 'StartWorkflowExecution' }))).toMatchObject({
      kind: 'sum',
    });
  }, 90_000);
});

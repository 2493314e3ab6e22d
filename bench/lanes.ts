/**
 * `npm run bench:lanes`: with 150 `http:request` actions hanging (their target never answers),
 * how long do other alerts wait for their first action (a Kubernetes one) to start? Real Temporal
 * dev server (in memory), a real worker in this process; figures from workflow histories
 * (WorkflowExecutionStarted → first ActivityTaskStarted). Figures only, no thresholds.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { planEvent } from '../src/plan/plan.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { bundleWorkflows } from '../src/worker/bundle.ts';
import { loadYaml } from './alerts.ts';
import { startBenchWorker } from './setup.ts';

// ERROR: every failed label (no cluster here, by design) would log a warning.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const HANGING = 150;
const OTHERS = 50;

const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds) + (t.nanos ?? 0) / 1e9 : undefined);

/** Read once the playbook has ended, so measuring does not load the server while it runs. */
async function firstActionDelay(handle: WorkflowHandle): Promise<number> {
  await handle.result().catch(() => undefined);
  const events = (await handle.fetchHistory()).events ?? [];
  const started = seconds(events.find((e) => String(e.eventType) === '1' || String(e.eventType) === 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED')?.eventTime);
  const activity = seconds(events.find((e) => String(e.eventType) === '11' || String(e.eventType) === 'EVENT_TYPE_ACTIVITY_TASK_STARTED')?.eventTime);
  return started !== undefined && activity !== undefined ? activity - started : NaN;
}

async function main(): Promise<void> {
  const hang = createServer(() => undefined);
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/hang`;
  const [server, bundle] = await Promise.all([startDevServer({ uiPort: false }), bundleWorkflows(false)]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = `bench-lanes-${randomUUID()}`;
  const worker = await startBenchWorker(server.address, bundle, taskQueue);
  try {
    const rules = await loadYaml(`- rule: hangs
  match: { rules: [Hanging call] }
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${url}", timeout_seconds: 100 }, timeout: 2m }
- rule: other
  match: { rules: [Other alert] }
  actions:
    - { action: label, actionner: kubernetes:label, parameters: { labels: { suspicious: "true" } } }
`);
    const start = (rule: string) => {
      const event = { output: `${rule} ${randomUUID()}`, priority: 'Warning', rule, hostname: '', time: null, source: 'syscall', output_fields: {}, tags: [] };
      const plan = planEvent(event, rules, { defaultNotifiers: [], dedupWindowSeconds: 0 });
      if (!plan) throw new Error('no plan');
      return client.workflow.start('playbook', { taskQueue, workflowId: `lanes-${randomUUID()}`, args: [plan.input] });
    };
    const hanging = await Promise.all(Array.from({ length: HANGING }, () => start('Hanging call')));
    await new Promise((r) => setTimeout(r, 3000));
    // One alert every 100 ms, as alerts arrive, rather than all in the same millisecond.
    const others: WorkflowHandle[] = [];
    for (let i = 0; i < OTHERS; i++) {
      others.push(await start('Other alert'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const delays = (await Promise.all(others.map(firstActionDelay))).sort((a, b) => a - b);
    const at = (q: number) => (delays[Math.ceil(delays.length * q) - 1] ?? NaN).toFixed(3);
    console.log(`${HANGING} hanging http:request actions; ${OTHERS} other alerts (first action kubernetes:label)`);
    console.log(`workflow start -> first action start, seconds: p50 ${at(0.5)}  p90 ${at(0.9)}  max ${at(1)}`);
    await Promise.all(hanging.map((h) => h.terminate('bench over')));
  } finally {
    await worker.stop();
    await connection.close();
    await server.stop();
    hang.closeAllConnections();
    hang.close();
  }
}

await main();

import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { configSchema } from '../src/config/schema.ts';
import { silentLogger } from '../src/log.ts';
import { listen } from '../src/roles/ingest-server.ts';
import { createWorker } from '../src/worker/worker.ts';
import { alertBody, ingestRulesYaml, loadYaml } from './alerts.ts';
import { benchApp, expectStarted } from './ingest.ts';
import { runPool } from './pool.ts';
import { ArrivalRecorder } from './target.ts';

export interface LatencyOptions {
  address: string;
  client: Client;
  bundle: { code: string };
  count: number;
  concurrency: number;
  /** Alerts sent and awaited first, not measured: the worker's first tasks load the bundle. */
  warmup: number;
  timeoutMs: number;
}

export interface LatencyRun {
  /** Milliseconds from POST to the action's request arriving at the target, measured alerts only. */
  readonly toActivity: number[];
  /** Milliseconds from POST to the 200 `started` answer. */
  readonly toAck: number[];
  readonly sent: number;
  readonly missing: number;
  readonly closed: number;
  readonly rss: { readonly before: number; readonly after: number; readonly peak: number };
}

/** Samples this process's RSS every 20 ms and keeps the highest. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

/**
 * POSTs alerts to the real ingest app over loopback HTTP while a real worker in this process runs
 * the playbooks; each playbook's one `http:request` action calls the recorder with the alert's id.
 */
export async function measureLatency(options: LatencyOptions): Promise<LatencyRun> {
  const target = await new ArrivalRecorder().start();
  const ruleSet = await loadYaml(ingestRulesYaml(target.url));
  const taskQueue = `bench-latency-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    deps: { config: configSchema.parse({ temporal: { address: options.address } }), log: silentLogger },
    workflowBundle: options.bundle,
  });
  const running = worker.run();
  const server = await listen(benchApp(options.client, taskQueue, ruleSet), '127.0.0.1', 0);
  const post = (id: string) => fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(id) });
  try {
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const warmIds = Array.from({ length: options.warmup }, (_, i) => `warm-${i}`);
    await runPool(warmIds.length, options.concurrency, async (i) => void (await expectStarted(await post(warmIds[i]!))));
    await target.waitFor(warmIds, options.timeoutMs);

    const ids = Array.from({ length: options.count }, (_, i) => `lat-${i}`);
    const posted = new Map<string, number>();
    const toAck: number[] = [];
    const workflowIds: string[] = [];
    await runPool(ids.length, options.concurrency, async (i) => {
      const id = ids[i]!;
      const at = performance.now();
      posted.set(id, at);
      workflowIds.push(await expectStarted(await post(id)));
      toAck.push(performance.now() - at);
    }, options.timeoutMs);
    const missing = await target.waitFor([...posted.keys()], options.timeoutMs);
    // Wait for the playbooks to close too, so "after" is measured with the work done.
    const closing = await runPool(workflowIds.length, 32, async (i) => void (await options.client.workflow.getHandle(workflowIds[i]!).result()), options.timeoutMs);
    const peak = sampler.stop();
    const after = process.memoryUsage().rss;
    const toActivity = [...posted].flatMap(([id, at]) => {
      const arrived = target.arrivals.get(id);
      return arrived === undefined ? [] : [arrived - at];
    });
    return { toActivity, toAck, sent: posted.size, missing, closed: closing.done - closing.failed, rss: { before, after, peak } };
  } finally {
    await server.close();
    worker.shutdown();
    await running;
    await connection.close();
    await target.stop();
  }
}

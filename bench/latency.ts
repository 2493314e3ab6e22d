import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporalStarter, type WorkflowStarter } from '../src/ingest/starter.ts';
import { listen } from '../src/roles/ingest-server.ts';
import { alertBody } from './alerts.ts';
import { benchApp, expectStarted } from './ingest.ts';
import { phaseMedians, type PhaseMedians } from './phases.ts';
import { runPool } from './pool.ts';
import { startCostMeter, type ServerProbes } from './costs.ts';
import type { WritesPerAlert } from './server-writes.ts';
import { benchWorker } from './setup.ts';

export interface LatencyOptions {
  address: string;
  client: Client;
  bundle: { code: string };
  count: number;
  concurrency: number;
  /** Alerts sent and awaited first, not measured: the worker's first tasks load the bundle. */
  warmup: number;
  timeoutMs: number;
  /** The all-in-one setup: the ingest's client shares the worker's connection and starts eagerly. */
  eager?: boolean;
  /** The action as a local activity (`local: true`) instead of an activity in its lane. */
  local?: boolean;
  /** Where to read the server's CPU and database requests per alert; absent, they are not measured. */
  costs?: ServerProbes;
}

export interface LatencyRun {
  /** Milliseconds from POST to the action's request arriving at the target, measured alerts only. */
  readonly toActivity: number[];
  /** Milliseconds from POST to the 200 `started` answer. */
  readonly toAck: number[];
  readonly sent: number;
  readonly missing: number;
  /** Workflows of this phase (warm-up included) that closed. */
  readonly closed: number;
  /** From the first measured POST to the last arrival. */
  readonly spanMs: number;
  /** Bytes. `before`: worker polling, no alert sent yet. `maxRss`: the kernel's peak since the process started. */
  readonly rss: { readonly before: number; readonly after: number; readonly peak: number; readonly maxRss: number };
  /** Medians of the phases, from the histories of 50 measured runs. */
  readonly phases: PhaseMedians;
  /** CPU per alert (warm-up included, until every playbook closed): this process, and the Temporal server; NaN unmeasured. */
  readonly cpuMsPerAlert: { readonly process: number; readonly server: number };
  /** The server's database requests per alert over the same span (its pollers' own included); undefined unmeasured. */
  readonly database?: WritesPerAlert;
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
  // As `talon start` runs (eager): the ingest's client on the worker's own connection, starting
  // eagerly while alone, and the worker yielding to the ingest's bursts.
  const ingest: { starter?: WorkflowStarter } = {};
  const ingestBusy = options.eager ? () => ingest.starter?.busy?.() ?? false : undefined;
  const { target, ruleSet, taskQueue, connection, stop } = await benchWorker(options.address, options.bundle, 'latency', options.local, ingestBusy);
  const client = options.eager ? new Client({ connection }) : options.client;
  ingest.starter = temporalStarter(client, taskQueue, { eager: options.eager });
  const server = await listen(benchApp(ingest.starter, ruleSet), '127.0.0.1', 0);
  const post = (id: string) => fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(id) });
  try {
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const meter = options.costs ? await startCostMeter(options.costs) : undefined;
    const workflowIds: string[] = [];
    // Each lane waits for its alert's activity before sending the next, so `concurrency` alerts are
    // in flight and the figure is latency at that load, not the length of an ever-growing backlog.
    const sendAndAwait = async (id: string, record?: (postedAt: number, ackAt: number, arrivedAt?: number) => void) => {
      const postedAt = performance.now();
      workflowIds.push(await expectStarted(await post(id)));
      const ackAt = performance.now();
      const arrivedAt = await target.arrival(id, options.timeoutMs);
      record?.(postedAt, ackAt, arrivedAt);
      if (arrivedAt === undefined) throw new Error(`the action of alert ${id} did not arrive within ${options.timeoutMs} ms`);
    };
    // Alerts new to the server: a phase reusing an earlier phase's outputs (so its workflow IDs) would
    // measure the reuse of a closed run's ID, which costs the server a second create.
    const phase = randomUUID().slice(0, 8);
    await runPool(options.warmup, options.concurrency, (i) => sendAndAwait(`${phase}-warm-${i}`));

    const toActivity: number[] = [];
    const toAck: number[] = [];
    let firstPost = Number.POSITIVE_INFINITY;
    let lastArrival = 0;
    const measured = await runPool(
      options.count,
      options.concurrency,
      (i) =>
        sendAndAwait(`${phase}-lat-${i}`, (postedAt, ackAt, arrivedAt) => {
          firstPost = Math.min(firstPost, postedAt);
          toAck.push(ackAt - postedAt);
          if (arrivedAt === undefined) return;
          toActivity.push(arrivedAt - postedAt);
          lastArrival = Math.max(lastArrival, arrivedAt);
        }),
      options.timeoutMs,
    );
    // Wait for the playbooks to close too, so "after" is measured with the work done.
    const closing = await runPool(
      workflowIds.length,
      32,
      async (i) => void (await options.client.workflow.getHandle(workflowIds[i]!).result()),
      options.timeoutMs,
    );
    const peak = sampler.stop();
    const after = process.memoryUsage().rss;
    const costs = await meter?.perRun(workflowIds.length);
    return {
      toActivity,
      toAck,
      sent: measured.done,
      missing: measured.done - toActivity.length,
      closed: closing.done - closing.failed,
      spanMs: lastArrival - firstPost,
      // Linux reports ru_maxrss in KiB.
      rss: { before, after, peak, maxRss: process.resourceUsage().maxRSS * 1024 },
      cpuMsPerAlert: { process: costs?.processCpuMs ?? Number.NaN, server: costs?.serverCpuMs ?? Number.NaN },
      database: costs?.database,
      phases: await phaseMedians(options.client, workflowIds.slice(options.warmup, options.warmup + 50)),
    };
  } finally {
    await server.close();
    await stop();
  }
}

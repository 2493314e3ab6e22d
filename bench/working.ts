import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { listen } from '../src/roles/ingest-server.ts';
import { alertBody } from './alerts.ts';
import { benchApp, expectStarted } from './ingest.ts';
import { runPool } from './pool.ts';
import { rssOf } from './processes.ts';
import { benchWorker } from './setup.ts';

// The ingest while the worker works, as `talon start` runs them: one process, the ingest's client on
// the worker's connection with eager starts. Alerts are sent as fast as the ingest answers;
// "accepted" counts 200s per second, "completed" the actions that arrived per second, until the last.

export interface WorkingRun {
  readonly alerts: number;
  readonly acceptedPerSec: number;
  readonly completedPerSec: number;
  readonly failed: number;
  /** This process (ingest + worker + the bench's target), before any alert and after all completed; MB. */
  readonly rssIdleMb: number;
  readonly rssAfterMb: number;
  /** The Temporal dev server's own RSS at the end; MB. */
  readonly serverRssMb: number;
}

const MB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

export async function measureWhileWorking(options: {
  address: string;
  serverPid: number | undefined;
  bundle: { code: string };
  count: number;
  concurrency: number;
  timeoutMs: number;
}): Promise<WorkingRun> {
  const { target, ruleSet, taskQueue, connection, stop } = await benchWorker(options.address, options.bundle, 'working');
  const server = await listen(benchApp(new Client({ connection }), taskQueue, ruleSet, true), '127.0.0.1', 0);
  try {
    global.gc?.();
    const rssIdle = process.memoryUsage().rss;
    const ids = Array.from({ length: options.count }, () => randomUUID());
    const started = performance.now();
    const sent = await runPool(options.count, options.concurrency, async (i) => {
      await expectStarted(await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(ids[i]!) }));
    });
    const acceptedAt = performance.now();
    await Promise.all(ids.map((id) => target.arrival(id, options.timeoutMs)));
    const lastArrival = Math.max(...ids.map((id) => target.arrivals.get(id) ?? Number.NaN));
    return {
      alerts: options.count,
      acceptedPerSec: round(sent.done / ((acceptedAt - started) / 1000)),
      completedPerSec: round(target.arrivals.size / ((lastArrival - started) / 1000)),
      failed: sent.failed,
      rssIdleMb: round(rssIdle / MB),
      rssAfterMb: round(process.memoryUsage().rss / MB),
      serverRssMb: round(rssOf(options.serverPid) / MB),
    };
  } finally {
    await server.close();
    await stop();
  }
}

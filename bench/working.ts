import { Client, Connection } from '@temporalio/client';
import { playbookStartOptions } from '../src/ingest/starter.ts';
import { alertBody, ingestRulesYaml, loadYaml } from './alerts.ts';
import { prepareRawStart } from './ingest.ts';
import { pooled, ratePerSecond, round, runPool } from './pool.ts';
import { childrenOf, rssOf, spawnTalonStart } from './processes.ts';
import { ArrivalRecorder } from './target.ts';

// The ingest while the worker works, in a real `talon start` process (ingest + worker, its own
// embedded Temporal server): alerts sent as fast as the ingest answers; "accepted" counts 200s per
// second, "completed" the actions that arrived per second, until the last. For the ratios, the raw
// start rate of the same server (a client in this process, a queue no worker polls), half measured
// before and half after, so that the host's drift over the run and the database's growth fall on both.

export interface WorkingRun {
  readonly alerts: number;
  readonly acceptedPerSec: number;
  readonly completedPerSec: number;
  readonly failed: number;
  /** `workflow.start` per second on the same server, no worker polling that queue: before and after pooled. */
  readonly rawPerSec: number;
  /** The two halves of it. */
  readonly rawBeforePerSec: number;
  readonly rawAfterPerSec: number;
  /** The `talon start` process (ingest + worker), started and idle, and after all 1,000 completed; MB. */
  readonly rssIdleMb: number;
  readonly rssAfterMb: number;
  /** Its embedded Temporal dev server at the end; MB. */
  readonly serverRssMb: number;
}

const MB = 1024 * 1024;

export async function measureWhileWorking(options: { count: number; concurrency: number; timeoutMs: number; local?: boolean }): Promise<WorkingRun> {
  const target = await new ArrivalRecorder().start();
  const talon = await spawnTalonStart(target.url, 0, options.local);
  const { grpc, http } = talon;
  const pid = talon.process.pid;
  const connection = await Connection.connect({ address: `127.0.0.1:${grpc}` });
  try {
    const post = async (id: string) => {
      const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(id) });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status} ${await response.text()}`);
    };
    const rawRules = await loadYaml(ingestRulesYaml('http://127.0.0.1:9/hit'));
    const client = new Client({ connection });
    const rawStarts = async (half: 'before' | 'after') => {
      const inputs = Array.from({ length: Math.ceil(options.count / 2) }, (_, i) => prepareRawStart(rawRules, `working-raw-${half}-${i}`));
      return runPool(inputs.length, options.concurrency, async (i) => {
        const { workflowId, input, searchAttributes } = inputs[i]!;
        await client.workflow.start('playbook', playbookStartOptions('bench-working-unpolled', workflowId, input, searchAttributes));
      });
    };
    // Idle: started, the worker polling, nothing sent yet.
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdle = rssOf(pid);
    const rawBefore = await rawStarts('before');
    const ids = Array.from({ length: options.count }, (_, i) => `working-${i}`);
    const started = performance.now();
    const sent = await runPool(options.count, options.concurrency, (i) => post(ids[i]!), options.timeoutMs);
    const acceptedAt = performance.now();
    await Promise.all(ids.map((id) => target.arrival(id, options.timeoutMs)));
    const lastArrival = Math.max(...ids.map((id) => target.arrivals.get(id) ?? Number.NaN));
    // Let the runs close and the worker settle before "after".
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = rssOf(pid);

    const rawAfter = await rawStarts('after');
    return {
      alerts: options.count,
      acceptedPerSec: round((sent.done - sent.failed) / ((acceptedAt - started) / 1000)),
      completedPerSec: round(target.arrivals.size / ((lastArrival - started) / 1000)),
      failed: sent.failed,
      rawPerSec: round(ratePerSecond(pooled([rawBefore, rawAfter]))),
      rawBeforePerSec: round(ratePerSecond(rawBefore)),
      rawAfterPerSec: round(ratePerSecond(rawAfter)),
      rssIdleMb: round(rssIdle / MB),
      rssAfterMb: round(rssAfter / MB),
      serverRssMb: round(Math.max(0, ...childrenOf(pid).map(rssOf)) / MB),
    };
  } finally {
    await connection.close();
    await talon.stop();
    await target.stop();
  }
}

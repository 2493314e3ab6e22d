import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { configSchema } from '../src/config/schema.ts';
import { silentLogger } from '../src/log.ts';
import type { RuleSet } from '../src/rules/index.ts';
import { createWorker } from '../src/worker/worker.ts';
import { ingestRulesYaml, loadYaml } from './alerts.ts';
import { ArrivalRecorder } from './target.ts';

/**
 * A real worker (playbooks and every lane) on `taskQueue` of `address`, running `bundle`; with
 * `ingestBusy`, yielding to an ingest in this process as `talon start`'s worker does.
 */
export async function startBenchWorker(address: string, bundle: { code: string }, taskQueue: string, ingestBusy?: () => boolean) {
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    config: configSchema.parse({ temporal: { address } }),
    log: silentLogger,
    workflowBundle: bundle,
    ...(ingestBusy ? { ingestBusy } : {}),
  });
  const running = worker.run();
  return {
    connection,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/**
 * What the worker phases share: the recorder the actions call, the rules pointing at it, and a real
 * worker on a fresh task queue of `address`, running `bundle`.
 */
export async function benchWorker(address: string, bundle: { code: string }, name: string, local = false, ingestBusy?: () => boolean) {
  const target = await new ArrivalRecorder().start();
  const ruleSet: RuleSet = await loadYaml(ingestRulesYaml(target.url, local));
  const taskQueue = `bench-${name}-${randomUUID()}`;
  const worker = await startBenchWorker(address, bundle, taskQueue, ingestBusy);
  return {
    target,
    ruleSet,
    taskQueue,
    connection: worker.connection,
    stop: async () => {
      await worker.stop();
      await target.stop();
    },
  };
}

import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { configSchema } from '../src/config/schema.ts';
import { silentLogger } from '../src/log.ts';
import type { RuleSet } from '../src/rules/index.ts';
import { createWorker } from '../src/worker/worker.ts';
import { ingestRulesYaml, loadYaml } from './alerts.ts';
import { ArrivalRecorder } from './target.ts';

/**
 * What the worker phases share: the recorder the actions call, the rules pointing at it, and a real
 * worker on a fresh task queue of `address`, running `bundle`.
 */
export async function benchWorker(address: string, bundle: { code: string }, name: string, local = false) {
  const target = await new ArrivalRecorder().start();
  const ruleSet: RuleSet = await loadYaml(ingestRulesYaml(target.url, local));
  const taskQueue = `bench-${name}-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    config: configSchema.parse({ temporal: { address } }),
    log: silentLogger,
    workflowBundle: bundle,
  });
  const running = worker.run();
  return {
    target,
    ruleSet,
    taskQueue,
    connection,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
      await target.stop();
    },
  };
}

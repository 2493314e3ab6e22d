import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createClients } from '../../activities/clients.ts';
import { createActivities } from '../../activities/index.ts';
import type { Deps } from '../../activities/types.ts';
import type { TalonConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { dataConverterFor } from '../temporal/codec.ts';
import { workflowSource } from './bundle.ts';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: TalonConfig;
  log: Logger;
  metrics?: Metrics;
  /** A prebuilt bundle; absent, the build's bundle, else `workflows/` bundled at start. */
  workflowBundle?: WorkflowBundleOption;
}

/**
 * A worker that runs playbook workflows and every actionner/notifier activity. It creates the SDK
 * clients (each on first use) and injects them into the activities.
 */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const deps: Deps = { config: options.config, log: options.log, metrics: options.metrics, clients: createClients(options.config) };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowSource()),
    activities: createActivities(deps),
    dataConverter: dataConverterFor(options.config.encryption.keys),
    // A workflow task waiting on the sticky queue of a worker that died moves to the shared queue
    // after this (SDK default 10 s), so another worker takes the playbook over sooner.
    stickyQueueScheduleToStartTimeout: '3s',
  });
}

import type { Context } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Client } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { governorActivity } from '../../activities/governor.ts';
import { createClients } from '../../activities/clients.ts';
import { createActivities } from '../../activities/index.ts';
import { actionnerSpecs, notifierSpecs } from '../../activities/specs.ts';
import type { Deps } from '../../activities/types.ts';
import type { TalonConfig } from '../config/schema.ts';
import { GOVERNOR_ACTIVITY, laneTaskQueue, notifierActivityName, NOTIFIER_LANE, SNAPSHOT_ACTIVITY, UNDO_ACTIVITY } from '../contract/index.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { dataConverterFor } from '../temporal/codec.ts';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowSource } from './bundle.ts';
import { ingestFirstTuner } from './ingest-first-slots.ts';
import { workflowSinks } from './sinks.ts';
import type { Tracing } from '../temporal/tracing.ts';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: TalonConfig;
  log: Logger;
  metrics?: Metrics;
  /** A prebuilt bundle; absent, the build's bundle, else `workflows/` bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  /** Where workflow and activity spans go; absent, tracing is off. */
  tracing?: Tracing;
  /** Worker identity in histories; absent, the SDK's `<pid>@<host>`. */
  identity?: string;
  /**
   * All-in-one (`talon start`): true while the ingest in this process has a burst in hand; the
   * playbook worker then takes on a new run one at a time and at most every 100 ms, runs in its
   * cache going on (src/worker/ingest-first-slots.ts).
   */
  ingestBusy?: () => boolean;
}

/** The workers of one process, run and stopped together. */
export interface TalonWorker {
  /** Resolves once every worker has stopped (after shutdown()); rejects if one fails. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * While the ingest beside it is busy, the playbook worker takes on a new run one workflow task at a
 * time, at most one every 100 ms (10 new runs a second). 1,000 alerts at 32 in flight: accepted
 * 0.68–0.72 of the raw start rate with two at a time and no pace (six runs), 0.72–0.84 with this
 * (seventeen), completed the same (28–35 /s): the runs held back start once the burst is in.
 */
const INGEST_BUSY_WORKFLOW_TASKS = 1;
const INGEST_BUSY_NEW_RUN_EVERY_MS = 100;

/** Each lane's activity types: actionners by their spec's lane (default the category), notifiers in theirs. */
export function lanes(): Map<string, string[]> {
  const byLane = new Map<string, string[]>();
  const add = (lane: string, type: string) => byLane.set(lane, [...(byLane.get(lane) ?? []), type]);
  for (const spec of actionnerSpecs) {
    add(spec.lane ?? spec.category, spec.name);
    // Time-boxed containment reads and undoes in the action's own lane.
    if (spec.undo !== undefined)
      for (const step of [SNAPSHOT_ACTIVITY, UNDO_ACTIVITY]) if (!byLane.get(spec.lane ?? spec.category)?.includes(step)) add(spec.lane ?? spec.category, step);
  }
  for (const spec of notifierSpecs) add(NOTIFIER_LANE, notifierActivityName(spec.name));
  return byLane;
}

/**
 * The playbook worker (workflows) and one activity worker per lane, each on its own task queue with
 * its own slots: 150 hanging HTTP calls fill the `http` lane's slots, not the Kubernetes actions'.
 * The playbook worker registers every activity too, so activities scheduled on its queue by
 * playbooks started before lanes existed still run. One set of SDK clients serves all of them.
 */
export async function createWorker(options: WorkerOptions): Promise<TalonWorker> {
  const deps: Deps = { config: options.config, log: options.log, metrics: options.metrics, clients: createClients(options.config) };
  // The governor reserves budgets through Updates on budget workflows: a client on the worker's connection.
  const client = new Client({ connection: options.connection, namespace: options.namespace, dataConverter: dataConverterFor(options.config.encryption.keys) });
  const activities: Record<string, (...args: never[]) => Promise<unknown>> = {
    ...createActivities(deps),
    [GOVERNOR_ACTIVITY]: governorActivity(client, options.taskQueue),
  };
  const tracing = options.tracing?.enabled ? options.tracing : undefined;
  const activityInterceptors = tracing ? [(ctx: Context) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })] : [];
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    dataConverter: dataConverterFor(options.config.encryption.keys),
    interceptors: { activity: activityInterceptors },
    ...(options.identity ? { identity: options.identity } : {}),
  };
  const source = options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowSource(tracing !== undefined);
  // The SDK's 40, fewer with a smaller cache: a task needs its run in the cache.
  const cache = options.config.worker_max_cached_workflows;
  const workflowTaskSlots = cache > 0 && cache < 40 ? Math.max(2, cache) : 40;
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: options.taskQueue,
      ...source,
      activities,
      // The bundle always holds Temporal's OpenTelemetry workflow interceptors; their sink drops the
      // spans unless tracing is on. Bundled at start (from source), the modules are named here.
      interceptors: { activity: activityInterceptors, ...('workflowsPath' in source && tracing ? { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } : {}) },
      sinks: workflowSinks(options.tracing),
      // A workflow task waiting on the sticky queue of a worker that died moves to the shared queue
      // after this (SDK default 10 s), so another worker takes the playbook over sooner.
      stickyQueueScheduleToStartTimeout: '3s',
      // Bounded: an alert storm leaves a run per distinct alert open for its dedup window.
      maxCachedWorkflows: options.config.worker_max_cached_workflows,
      ...(options.ingestBusy
        ? {
            tuner: ingestFirstTuner({
              maximum: workflowTaskSlots,
              minimum: INGEST_BUSY_WORKFLOW_TASKS,
              paceMs: INGEST_BUSY_NEW_RUN_EVERY_MS,
              ingestBusy: options.ingestBusy,
            }),
          }
        : { maxConcurrentWorkflowTaskExecutions: workflowTaskSlots }),
    }),
  ];
  for (const [lane, types] of lanes()) {
    const own = Object.fromEntries(types.flatMap((type) => (activities[type] ? [[type, activities[type]] as const] : [])));
    workers.push(await Worker.create({ ...common, taskQueue: laneTaskQueue(options.taskQueue, lane), activities: own }));
  }
  return {
    async run() {
      await Promise.all(workers.map((worker) => worker.run()));
    },
    shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

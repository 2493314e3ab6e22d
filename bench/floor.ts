import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { QUIET_BUNDLER_LOGGER } from '../src/worker/bundle.ts';
import { startCostMeter, type ServerProbes } from './costs.ts';
import { percentile, round, runPool } from './pool.ts';
import type { WritesPerAlert } from './server-writes.ts';

// Temporal's own floor on this machine: start → a no-op first activity at the latency phase's
// concurrency, with nothing of talon in the way (no HTTP, no rules, a two-line workflow), started
// eagerly on the worker's own connection — the cheapest path the SDK offers. What talon's latency
// figures are read against: a target below it cannot be met by talon's code on this machine.

export interface FloorFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU per run: this process (client + worker), and the Temporal server. */
  readonly cpuMsPerRun: { readonly worker: number; readonly server: number };
  /** The server's database requests per run; undefined without its metrics. */
  readonly database?: WritesPerAlert;
}

export interface FloorRun {
  readonly local: FloorFigures;
  readonly activity: FloorFigures;
}

export async function measureFloor(options: ServerProbes & { address: string; count: number; concurrency: number; warmup: number }): Promise<FloorRun> {
  const { code } = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./floor-workflows.ts', import.meta.url)), logger: QUIET_BUNDLER_LOGGER });
  const connection = await NativeConnection.connect({ address: options.address });
  const taskQueue = `bench-floor-${randomUUID()}`;
  const waiting = new Map<string, (at: number) => void>();
  const reach = async (id: string) => waiting.get(id)?.(performance.now());
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: { code }, activities: { reach } });
  const running = worker.run();
  // Eager start needs the client on the worker's connection (as talon start's ingest has it).
  const client = new Client({ connection });
  const measure = async (workflowType: 'floorLocal' | 'floorActivity'): Promise<FloorFigures> => {
    const latencies: number[] = [];
    const one = async (i: number) => {
      const id = `${workflowType}-${i}-${randomUUID()}`;
      const reached = new Promise<number>((resolve) => waiting.set(id, resolve));
      const startedAt = performance.now();
      await client.workflow.start(workflowType, { taskQueue, workflowId: id, args: [id], requestEagerStart: true });
      const at = await reached;
      waiting.delete(id);
      if (i >= options.warmup) latencies.push(at - startedAt);
    };
    const meter = await startCostMeter(options);
    const total = options.warmup + options.count;
    await runPool(total, options.concurrency, one);
    const costs = await meter.perRun(total);
    latencies.sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      cpuMsPerRun: { worker: round(costs.processCpuMs), server: round(costs.serverCpuMs) },
      database: costs.database,
    };
  };
  try {
    return { local: await measure('floorLocal'), activity: await measure('floorActivity') };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

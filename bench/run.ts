/**
 * `npm run bench`: prints ingest throughput, POST-to-activity latency, worker RSS and matching cost
 * against a real Temporal dev server (in memory) started here and stopped at the end. Figures only,
 * no thresholds. The table goes to stdout; the last stdout line is the same figures as JSON.
 */
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../src/log.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { installTemporalLogger } from '../src/temporal/runtime-logger.ts';
import { bundleWorkflows } from '../src/worker/bundle.ts';
import { ingestRulesYaml, loadYaml } from './alerts.ts';
import { measureThroughput } from './ingest.ts';
import { measureFloor } from './floor.ts';
import { measureLatency } from './latency.ts';
import { measureWhileWorking } from './working.ts';
import { measureStorm } from './storm.ts';
import { measureMatching } from './matching.ts';
import { figures, formatTable, type BenchSettings } from './report.ts';

// Before any native connection: the Rust core otherwise logs every worker start at INFO. Warnings
// go to stderr as talon's own do (the lanes' expected one at debug), the figures to stdout.
installTemporalLogger(createLogger({ format: 'text', level: 'warn' }));

const SETTINGS: BenchSettings = {
  ingest: { count: 2000, concurrency: 32, rounds: 2, warmup: 100 },
  latency: { count: 300, concurrency: 8, warmup: 20, timeoutMs: 60_000 },
  trickle: { count: 60, concurrency: 1, warmup: 5, timeoutMs: 60_000 },
  floor: { count: 300, concurrency: 8, warmup: 20 },
  working: { count: 1000, concurrency: 32, timeoutMs: 120_000 },
  storm: { distinct: 1000, repeats: 9000, repeatedOf: 50, seconds: 10, timeoutMs: 600_000 },
  ruleCounts: [10, 10_000],
};

function step(text: string): void {
  console.log(`- ${text}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  // Other work on the machine skews every figure; the load averages say how much there was.
  const loadBefore = loadavg()[0] ?? 0;
  step('starting the Temporal dev server (in memory) and bundling the workflows');
  const [server, bundle] = await Promise.all([startDevServer({ uiPort: false, metricsPort: 0 }), bundleWorkflows(false)]);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    // CPU and database requests per alert, read at 8 in flight (and for Temporal's floor).
    const costs = { serverPid: server.process.pid, serverMetricsUrl: server.metricsUrl };
    // As `talon start` runs: the ingest's client on the worker's connection, eager starts
    // (BENCH_EAGER=0: a separate gRPC client, as `talon serve` next to `talon worker`).
    const common = { address: server.address, client, bundle, eager: process.env.BENCH_EAGER !== '0' };
    // Latency first, on a fresh server: the throughput phase leaves thousands of workflows queued.
    step(`latency: ${SETTINGS.latency.count} alerts at concurrency ${SETTINGS.latency.concurrency}, worker in this process`);
    const latency = await measureLatency({ ...common, ...SETTINGS.latency, costs });
    step(`latency again with the action as a local activity (local: true)`);
    const latencyLocal = await measureLatency({ ...common, ...SETTINGS.latency, local: true, costs });
    step(`latency at ${SETTINGS.trickle.concurrency} in flight, in a lane and local`);
    const trickle = {
      lane: await measureLatency({ ...common, ...SETTINGS.trickle }),
      local: await measureLatency({ ...common, ...SETTINGS.trickle, local: true }),
    };
    step(`Temporal's floor: ${SETTINGS.floor.count} no-op workflows at ${SETTINGS.floor.concurrency} in flight, no talon code`);
    const floor = await measureFloor({ address: server.address, ...costs, ...SETTINGS.floor });
    step(`ingest throughput: ${SETTINGS.ingest.count} alerts per mode at concurrency ${SETTINGS.ingest.concurrency}`);
    // No worker polls this queue, so only the start is measured; the action URL is never called.
    const ingestRules = await loadYaml(ingestRulesYaml('http://127.0.0.1:9/hit'));
    const throughput = await measureThroughput({ client, ruleSet: ingestRules, taskQueue: 'bench-throughput-unpolled', ...SETTINGS.ingest });
    await connection.close();
    connection = undefined;
    await server.stop();
    // Matching runs after the server stopped, so its timings do not share the CPUs with it.
    const matching = [];
    for (const count of SETTINGS.ruleCounts) {
      step(`matching with ${count} rules`);
      matching.push(await measureMatching(count));
    }
    // The talon start phases run after the bench's own server stopped: nothing else shares the CPUs.
    step(`ingest while the worker works: ${SETTINGS.working.count} alerts at concurrency ${SETTINGS.working.concurrency} to a talon start process`);
    const working = await measureWhileWorking(SETTINGS.working);
    step('the same with the action as a local activity (local: true)');
    const workingLocal = await measureWhileWorking({ ...SETTINGS.working, local: true });
    step(`alert storm: ${SETTINGS.storm.distinct + SETTINGS.storm.repeats} alerts in ${SETTINGS.storm.seconds} s to a talon start process`);
    const storm = await measureStorm(SETTINGS.storm);
    const result = figures(SETTINGS, throughput, latency, latencyLocal, trickle, floor, working, workingLocal, storm, matching, performance.now() - started, [
      loadBefore,
      loadavg()[0] ?? 0,
    ]);
    console.log(`\n${formatTable(result, SETTINGS)}\n`);
    console.log(JSON.stringify(result));
  } finally {
    await connection?.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * The bench against any Temporal server, with the production split: `talon serve` ingest replicas
 * and `talon worker` processes, as many of each as `--replicas`. `bench/scale-out.sh` runs it on a
 * Temporal server backed by PostgreSQL with 1 and 2 replicas, and on the dev server for comparison.
 * Not run by CI. The table goes to stdout; the last stdout line is the same figures as JSON.
 *
 *   tsx bench/scale-out.ts --address 127.0.0.1:7233 --replicas 2 --label postgresql [--server-pid N]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { playbookStartOptions } from '../src/ingest/starter.ts';
import { freePort } from '../src/temporal/dev-server.ts';
import { alertBody, ingestRulesYaml, loadYaml } from './alerts.ts';
import { prepareRawStart } from './ingest.ts';
import { percentile, ratePerSecond, round, runPool } from './pool.ts';
import { rssOf, spawnTalon, type TalonProcess } from './processes.ts';
import { alignRows } from './report.ts';
import { ArrivalRecorder } from './target.ts';

const SETTINGS = {
  warmup: 40,
  latency: { count: 300, concurrency: 8 },
  working: { count: 1000, concurrency: 32 },
  raw: { count: 1000, concurrency: 32 },
  timeoutMs: 120_000,
};

const MB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    address: { type: 'string', default: '127.0.0.1:7233' },
    namespace: { type: 'string', default: 'default' },
    replicas: { type: 'string', default: '1' },
    label: { type: 'string', default: 'temporal' },
    'server-pid': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const replicas = Number(args.replicas);
  const loadBefore = loadavg()[0] ?? 0;
  const target = await new ArrivalRecorder().start();
  const dir = mkdtempSync(join(tmpdir(), 'talon-scale-'));
  writeFileSync(join(dir, 'rules.yaml'), ingestRulesYaml(target.url));
  const taskQueue = `scale-${randomUUID()}`;
  const common = { TEMPORAL_ADDRESS: args.address, TEMPORAL_NAMESPACE: args.namespace, TEMPORAL_TASK_QUEUE: taskQueue, RULES_FILES: join(dir, 'rules.yaml') };
  const processes: TalonProcess[] = [];
  const connection = await Connection.connect({ address: args.address });
  const client = new Client({ connection, namespace: args.namespace });
  try {
    const workers = await Promise.all(Array.from({ length: replicas }, () => spawnTalon('worker', common)));
    processes.push(...workers);
    const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()));
    const ingests = await Promise.all(ports.map((port) => spawnTalon('serve', { ...common, LISTEN_ADDRESS: '127.0.0.1', LISTEN_PORT: String(port) })));
    processes.push(...ingests);
    // Round robin over the replicas, as a Service spreads falcosidekick's connections.
    const post = async (i: number, id: string) => {
      const response = await fetch(`http://127.0.0.1:${ports[i % replicas]}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: alertBody(id),
      });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status} ${await response.text()}`);
    };
    const sendAndAwait = async (i: number, id: string) => {
      const postedAt = performance.now();
      await post(i, id);
      const arrivedAt = await target.arrival(id, SETTINGS.timeoutMs);
      if (arrivedAt === undefined) throw new Error(`the action of alert ${id} did not arrive`);
      return arrivedAt - postedAt;
    };
    await runPool(SETTINGS.warmup, SETTINGS.latency.concurrency, async (i) => void (await sendAndAwait(i, `warm-${i}`)));
    const rssIdle = processes.map((p) => rssOf(p.process.pid));

    const latencies: number[] = [];
    await runPool(
      SETTINGS.latency.count,
      SETTINGS.latency.concurrency,
      async (i) => void latencies.push(await sendAndAwait(i, `lat-${i}`)),
      SETTINGS.timeoutMs,
    );
    latencies.sort((a, b) => a - b);

    const ids = Array.from({ length: SETTINGS.working.count }, (_, i) => `work-${i}`);
    const started = performance.now();
    const accepted = await runPool(ids.length, SETTINGS.working.concurrency, (i) => post(i, ids[i]!), SETTINGS.timeoutMs);
    await Promise.all(ids.map((id) => target.arrival(id, SETTINGS.timeoutMs)));
    const lastArrival = Math.max(...ids.map((id) => target.arrivals.get(id) ?? 0));
    const completed = ids.filter((id) => target.arrivals.has(id)).length;
    const rssAfter = processes.map((p) => rssOf(p.process.pid));

    // The server's own ceiling: starts straight from a client, on a queue no worker polls.
    const ruleSet = await loadYaml(ingestRulesYaml('http://127.0.0.1:9/hit'));
    const rawQueue = `${taskQueue}-unpolled`;
    const inputs = Array.from({ length: SETTINGS.raw.count }, (_, i) => prepareRawStart(ruleSet, `${taskQueue}-${i}`));
    const raw = await runPool(inputs.length, SETTINGS.raw.concurrency, async (i) => {
      const { workflowId, input, searchAttributes } = inputs[i]!;
      await client.workflow.start('playbook', playbookStartOptions(rawQueue, workflowId, input, searchAttributes));
    });
    const rawPerSec = ratePerSecond(raw);
    const acceptedPerSec = ratePerSecond(accepted);
    const completedPerSec = completed / ((lastArrival - started) / 1000);
    const sum = (xs: number[], from: number, to: number) => round(xs.slice(from, to).reduce((a, b) => a + b, 0) / MB, 0);
    const result = {
      label: args.label,
      replicas,
      latency: { p50: round(percentile(latencies, 50), 0), p99: round(percentile(latencies, 99), 0), measured: latencies.length },
      working: {
        alerts: ids.length,
        failed: accepted.failed,
        completed,
        acceptedPerSec: round(acceptedPerSec),
        completedPerSec: round(completedPerSec),
        acceptedRatio: round(acceptedPerSec / rawPerSec, 2),
        completedRatio: round(completedPerSec / rawPerSec, 2),
      },
      rawStartsPerSec: round(rawPerSec),
      rssMb: {
        workersIdle: sum(rssIdle, 0, replicas),
        workersAfter: sum(rssAfter, 0, replicas),
        ingestsIdle: sum(rssIdle, replicas, 2 * replicas),
        ingestsAfter: sum(rssAfter, replicas, 2 * replicas),
        server: args['server-pid'] ? round(rssOf(Number(args['server-pid'])) / MB, 0) : undefined,
      },
      loadAverage: [round(loadBefore, 2), round(loadavg()[0] ?? 0, 2)],
    };
    const rows: [string, string][] = [
      [`${args.label}: ${replicas} worker(s) + ${replicas} ingest replica(s)`, ''],
      ['  POST → first activity at 8 in flight, p50 / p99', `${result.latency.p50} / ${result.latency.p99} ms`],
      ['  1,000 alerts at 32 in flight: accepted / completed per s', `${result.working.acceptedPerSec} / ${result.working.completedPerSec}`],
      ['  … as a ratio to the raw start rate', `${result.working.acceptedRatio} / ${result.working.completedRatio}`],
      ['  raw workflow.start per s (no worker)', `${result.rawStartsPerSec}`],
      [
        '  RSS workers idle / after; ingests idle / after',
        `${result.rssMb.workersIdle} / ${result.rssMb.workersAfter}; ${result.rssMb.ingestsIdle} / ${result.rssMb.ingestsAfter} MB`,
      ],
      ['  Temporal server RSS', result.rssMb.server === undefined ? 'n/a' : `${result.rssMb.server} MB`],
    ];
    console.log(`\n${alignRows(rows)}\n`);
    console.log(JSON.stringify(result));
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await connection.close();
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { availableParallelism } from 'node:os';
import type { PoolResult } from './pool.ts';
import { percentile, ratePerSecond, round } from './pool.ts';
import type { FloorRun } from './floor.ts';
import type { LatencyRun } from './latency.ts';
import type { WorkingRun } from './working.ts';
import type { StormRun } from './storm.ts';
import type { MatchFigures } from './matching.ts';
import type { StartMode } from './ingest.ts';

export interface BenchSettings {
  readonly ingest: { readonly count: number; readonly concurrency: number; readonly rounds: number; readonly warmup: number };
  readonly latency: { readonly count: number; readonly concurrency: number; readonly warmup: number; readonly timeoutMs: number };
  /** The same, one alert in flight: what a trickle of alerts sees. */
  readonly trickle: { readonly count: number; readonly concurrency: number; readonly warmup: number; readonly timeoutMs: number };
  /** Temporal alone: no-op workflows, no talon code. */
  readonly floor: { readonly count: number; readonly concurrency: number; readonly warmup: number };
  readonly working: { readonly count: number; readonly concurrency: number; readonly timeoutMs: number };
  readonly storm: { readonly distinct: number; readonly repeats: number; readonly repeatedOf: number; readonly seconds: number; readonly timeoutMs: number };
  readonly ruleCounts: readonly number[];
}

const MB = 1024 * 1024;

/** Every printed figure as one plain object: the table and the JSON line both come from it. */
export function figures(
  settings: BenchSettings,
  throughput: Record<StartMode, PoolResult>,
  latency: LatencyRun,
  latencyLocal: LatencyRun,
  trickle: { readonly lane: LatencyRun; readonly local: LatencyRun },
  floor: FloorRun,
  working: WorkingRun,
  workingLocal: WorkingRun,
  storm: StormRun,
  matching: readonly MatchFigures[],
  durationMs: number,
  load: readonly [number, number],
) {
  const http = ratePerSecond(throughput.http);
  const inProcess = ratePerSecond(throughput['in-process']);
  const raw = ratePerSecond(throughput.raw);
  const activity = [...latency.toActivity].sort((a, b) => a - b);
  const ack = [...latency.toAck].sort((a, b) => a - b);
  const p50p99 = (run: LatencyRun) => {
    const sorted = [...run.toActivity].sort((a, b) => a - b);
    return { postToActivityP50Ms: round(percentile(sorted, 50)), postToActivityP99Ms: round(percentile(sorted, 99)), missing: run.missing };
  };
  const cpu = (run: LatencyRun) => ({ process: round(run.cpuMsPerAlert.process), server: round(run.cpuMsPerAlert.server) });
  const database = (run: LatencyRun) => run.database ?? { writes: Number.NaN, reads: Number.NaN, byOperation: {} };
  return {
    machine: { cpus: availableParallelism(), node: process.version, loadAvg1mStart: round(load[0], 2), loadAvg1mEnd: round(load[1], 2) },
    ingest: {
      events: settings.ingest.count,
      concurrency: settings.ingest.concurrency,
      httpPerSec: round(http),
      inProcessPerSec: round(inProcess),
      rawStartPerSec: round(raw),
      httpToRawRatio: round(http / raw, 3),
      inProcessToRawRatio: round(inProcess / raw, 3),
      failures: throughput.http.failed + throughput['in-process'].failed + throughput.raw.failed,
    },
    latency: {
      events: latency.sent,
      concurrency: settings.latency.concurrency,
      arrived: activity.length,
      missing: latency.missing,
      closedWorkflows: latency.closed,
      activitiesPerSec: round(activity.length / (latency.spanMs / 1000)),
      postToActivityP50Ms: round(percentile(activity, 50)),
      postToActivityP99Ms: round(percentile(activity, 99)),
      postToActivityMaxMs: round(activity.at(-1) ?? Number.NaN),
      postToStartedP50Ms: round(percentile(ack, 50)),
      postToStartedP99Ms: round(percentile(ack, 99)),
      phasesMedianMs: latency.phases,
      cpuMsPerAlert: cpu(latency),
      databasePerAlert: database(latency),
    },
    latencyLocal: { ...p50p99(latencyLocal), phasesMedianMs: latencyLocal.phases, cpuMsPerAlert: cpu(latencyLocal), databasePerAlert: database(latencyLocal) },
    trickle: { concurrency: settings.trickle.concurrency, events: trickle.lane.sent, lane: p50p99(trickle.lane), local: p50p99(trickle.local) },
    floor: { events: settings.floor.count, concurrency: settings.floor.concurrency, ...floor },
    working: {
      ...working,
      // The raw rate of the same server (talon start's own), half before the alerts and half after.
      acceptedToRawRatio: round(working.acceptedPerSec / working.rawPerSec, 3),
      completedToRawRatio: round(working.completedPerSec / working.rawPerSec, 3),
    },
    workingLocal: {
      acceptedPerSec: workingLocal.acceptedPerSec,
      completedPerSec: workingLocal.completedPerSec,
      rawPerSec: workingLocal.rawPerSec,
      rawBeforePerSec: workingLocal.rawBeforePerSec,
      rawAfterPerSec: workingLocal.rawAfterPerSec,
      failed: workingLocal.failed,
      acceptedToRawRatio: round(workingLocal.acceptedPerSec / workingLocal.rawPerSec, 3),
      completedToRawRatio: round(workingLocal.completedPerSec / workingLocal.rawPerSec, 3),
      rssAfterMb: workingLocal.rssAfterMb,
    },
    storm,
    rss: {
      beforeMb: round(latency.rss.before / MB),
      afterMb: round(latency.rss.after / MB),
      peakSampledMb: round(latency.rss.peak / MB),
      processMaxRssMb: round(latency.rss.maxRss / MB),
    },
    matching: matching.map((m) => ({
      rules: m.rules,
      loadMs: round(m.loadMs),
      decodeUsPerEvent: round(m.decodeUsPerEvent, 2),
      matchUsPerEvent: round(m.matchUsPerEvent, 3),
      matchedShare: round(m.matchedShare, 2),
      iterations: m.iterations,
    })),
    durationS: round(durationMs / 1000),
  };
}

export type Figures = ReturnType<typeof figures>;

/** The human table: one figure per line, aligned. */
export function formatTable(f: Figures, settings: BenchSettings): string {
  const i = f.ingest;
  const l = f.latency;
  const rows: [string, string][] = [
    [`Ingest throughput (${i.events} alerts, concurrency ${i.concurrency}, ${settings.ingest.rounds} alternating rounds)`, ''],
    ['  ingest app over HTTP (listen, fetch)', `${i.httpPerSec} workflows/s`],
    ['  ingest app in process (app.request)', `${i.inProcessPerSec} workflows/s`],
    ['  raw client.workflow.start', `${i.rawStartPerSec} workflows/s`],
    ['  ratio HTTP / raw', `${i.httpToRawRatio}`],
    ['  ratio in-process / raw', `${i.inProcessToRawRatio}`],
    ['  failed requests', `${i.failures}`],
    [`Latency POST -> first activity (${l.events} alerts, ${l.concurrency} in flight, HTTP)`, ''],
    ['  p50 / p99 / max', `${l.postToActivityP50Ms} / ${l.postToActivityP99Ms} / ${l.postToActivityMaxMs} ms`],
    ['  POST -> 200 started, p50 / p99', `${l.postToStartedP50Ms} / ${l.postToStartedP99Ms} ms`],
    ['  arrived / missing', `${l.arrived} / ${l.missing}`],
    [`  workflows closed (incl. ${settings.latency.warmup} warm-up)`, `${l.closedWorkflows}`],
    ['  alerts reaching their activity, at that load', `${l.activitiesPerSec} /s`],
    [
      `  medians from ${l.phasesMedianMs.sampled} histories: workflow task wait / run, activity wait`,
      `${l.phasesMedianMs.workflowTaskWaitMs} / ${l.phasesMedianMs.workflowTaskRunMs} / ${l.phasesMedianMs.activityWaitMs} ms`,
    ],
    [
      '  CPU per alert: this process (worker, ingest, bench client, action target) / the Temporal server',
      `${l.cpuMsPerAlert.process} / ${l.cpuMsPerAlert.server} ms`,
    ],
    ["  database requests per alert (the server's own count): writes / reads", databaseRow(l.databasePerAlert)],
    [
      '  the action as a local activity (local: true): p50 / p99; missing',
      `${f.latencyLocal.postToActivityP50Ms} / ${f.latencyLocal.postToActivityP99Ms} ms; ${f.latencyLocal.missing}`,
    ],
    [
      '  … its medians: workflow task wait / run (the action inside it); history events',
      `${f.latencyLocal.phasesMedianMs.workflowTaskWaitMs} / ${f.latencyLocal.phasesMedianMs.workflowTaskRunMs} ms; ${f.latencyLocal.phasesMedianMs.historyEvents}`,
    ],
    ['  … its CPU per alert: this process / the Temporal server', `${f.latencyLocal.cpuMsPerAlert.process} / ${f.latencyLocal.cpuMsPerAlert.server} ms`],
    ['  … its database requests per alert: writes / reads', databaseRow(f.latencyLocal.databasePerAlert)],
    [
      `  at ${f.trickle.concurrency} in flight (${f.trickle.events} alerts): in a lane / local: true, p50 / p99; missing`,
      `${f.trickle.lane.postToActivityP50Ms} / ${f.trickle.lane.postToActivityP99Ms} ms · ${f.trickle.local.postToActivityP50Ms} / ${f.trickle.local.postToActivityP99Ms} ms; ${f.trickle.lane.missing + f.trickle.local.missing}`,
    ],
    [
      `Temporal's floor, no talon code: start -> a no-op first activity (${f.floor.events} two-line workflows, ${f.floor.concurrency} in flight, eager start, same server)`,
      '',
    ],
    ['  local activity: p50 / p99; CPU per run, client + worker / server; database writes / reads', floorRow(f.floor.local)],
    ['  activity: p50 / p99; CPU per run, client + worker / server; database writes / reads', floorRow(f.floor.activity)],
    [`Ingest while the worker works (${f.working.alerts} alerts to a talon start process)`, ''],
    ['  accepted (200 started) / completed (action done)', `${f.working.acceptedPerSec} / ${f.working.completedPerSec} alerts/s`],
    [
      `  ratio to the raw start rate of its server (${f.working.rawPerSec} /s, no worker; ${f.working.rawBeforePerSec} before, ${f.working.rawAfterPerSec} after), accepted / completed`,
      `${f.working.acceptedToRawRatio} / ${f.working.completedToRawRatio}`,
    ],
    ['  failed requests', `${f.working.failed}`],
    [
      '  talon start RSS (ingest + worker) idle / after all completed; its Temporal server',
      `${f.working.rssIdleMb} / ${f.working.rssAfterMb} MB; ${f.working.serverRssMb} MB`,
    ],
    [
      '  the action as a local activity (local: true): accepted / completed; ratios; failed',
      `${f.workingLocal.acceptedPerSec} / ${f.workingLocal.completedPerSec} alerts/s; ${f.workingLocal.acceptedToRawRatio} / ${f.workingLocal.completedToRawRatio} (raw ${f.workingLocal.rawPerSec} /s); ${f.workingLocal.failed}`,
    ],
    [`Alert storm: ${f.storm.sent} alerts in ${settings.storm.seconds} s (${f.storm.distinct} distinct) to talon start, worker running`, ''],
    [
      '  answered 200: started / duplicate; other answers',
      `${f.storm.started} / ${f.storm.duplicates}; ${f.storm.otherAnswers}${
        f.storm.otherAnswers > 0
          ? ` (${Object.entries(f.storm.otherByReason)
              .map(([reason, n]) => `${n}× ${reason}`)
              .join(', ')})`
          : ''
      }`,
    ],
    ['  playbook runs; actions done', `${f.storm.runs}; ${f.storm.actionsDone}`],
    ['  time to accept all / to finish all', `${f.storm.acceptAllS} / ${f.storm.finishAllS} s`],
    ['  peak RSS: talon start (ingest + worker) / its Temporal dev server', `${f.storm.peakRssMb} / ${f.storm.serverPeakRssMb} MB`],
    ['Process RSS over the latency run (worker + ingest app + client + target in one process)', ''],
    ['  worker idle before / after (all closed) / peak sampled', `${f.rss.beforeMb} / ${f.rss.afterMb} / ${f.rss.peakSampledMb} MB`],
    ['  kernel max RSS since process start (bundling included)', `${f.rss.processMaxRssMb} MB`],
    ['Matching (decodeEvent once, then ruleSet.match)', ''],
    ...f.matching.flatMap((m): [string, string][] => [
      [`  ${m.rules} rules: match`, `${m.matchUsPerEvent} µs/event (${m.iterations} matches, ${Math.round(m.matchedShare * 100)}% matched)`],
      [`  ${m.rules} rules: decode / load`, `${m.decodeUsPerEvent} µs/event / ${m.loadMs} ms`],
    ]),
    ['Machine', `${f.machine.cpus} CPUs, Node ${f.machine.node}, 1-min load avg ${f.machine.loadAvg1mStart} at start, ${f.machine.loadAvg1mEnd} at end`],
    ['Total time', `${f.durationS} s`],
  ];
  return alignRows(rows);
}

/** Writes / reads, then the three largest write operations. */
function databaseRow(d: Figures['latency']['databasePerAlert']): string {
  const top = Object.entries(d.byOperation)
    .slice(0, 3)
    .map(([operation, n]) => `${operation} ${n}`)
    .join(', ');
  return `${d.writes} / ${d.reads}${top ? ` (${top}, …)` : ''}`;
}

function floorRow(figures: FloorRun['local']): string {
  return `${figures.p50Ms} / ${figures.p99Ms} ms; ${figures.cpuMsPerRun.worker} / ${figures.cpuMsPerRun.server} ms; ${figures.database?.writes ?? 'n/a'} / ${figures.database?.reads ?? 'n/a'}`;
}

/** Label and value rows as an aligned table; a row without a value is a heading. */
export function alignRows(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => (value ? label.padEnd(width) + value : label)).join('\n');
}

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../src/temporal/dev-server.ts';
import { alertBody, ingestRulesYaml } from './alerts.ts';
import { ArrivalRecorder } from './target.ts';

// An alert storm sent as falcosidekick sends (each alert once, never retried, no waiting for the
// previous answer) to a real `talon start` process with its worker running: 1,000 distinct outputs
// plus repeats of 50 of them, spread over a few seconds.

export interface StormRun {
  readonly sent: number;
  readonly distinct: number;
  readonly answered200: number;
  readonly started: number;
  readonly duplicates: number;
  readonly otherAnswers: number;
  readonly runs: number;
  readonly actionsDone: number;
  readonly acceptAllS: number;
  readonly finishAllS: number;
  readonly peakRssMb: number;
  readonly serverPeakRssMb: number;
}

const BIN = fileURLToPath(new URL('../bin/talon.js', import.meta.url));
const MB = 1024 * 1024;

function rss(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export async function measureStorm(options: { distinct: number; repeats: number; repeatedOf: number; seconds: number; timeoutMs: number }): Promise<StormRun> {
  const target = await new ArrivalRecorder().start();
  const dir = mkdtempSync(join(tmpdir(), 'talon-storm-'));
  writeFileSync(join(dir, 'rules.yaml'), ingestRulesYaml(target.url));
  const [grpc, http] = [await freePort(), await freePort()];
  const talon = spawn(process.execPath, [BIN, 'start'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      TEMPORAL_EMBEDDED_PORT: String(grpc),
      TEMPORAL_EMBEDDED_UI_PORT: String(await freePort()),
      TEMPORAL_EMBEDDED_DB_FILENAME: join(dir, 'temporal.db'),
      LISTEN_ADDRESS: '127.0.0.1',
      LISTEN_PORT: String(http),
      RULES_FILES: join(dir, 'rules.yaml'),
      // Repeats keep arriving for the whole storm: the window covers it, so each output runs once.
      DEDUPLICATION_TIME_WINDOW_SECONDS: '300',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      WATCH_RULES: 'false',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  talon.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 600 && !stderr.includes('Ingest endpoint'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!stderr.includes('Ingest endpoint')) throw new Error(`talon start did not come up:\n${stderr}`);
  let peak = 0;
  let serverPeak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(talon.pid));
    serverPeak = Math.max(serverPeak, ...childrenOf(talon.pid).map(rss));
  }, 100);
  try {
    const total = options.distinct + options.repeats;
    // Every tenth alert a new output, the rest repeats of the first `repeatedOf` outputs.
    const ids: string[] = [];
    let next = 0;
    for (let k = 0; k < total; k++) {
      const fresh = next < options.distinct && (k % Math.ceil(total / options.distinct) === 0 || total - k <= options.distinct - next);
      ids.push(fresh ? `storm-${next++}` : `storm-${k % options.repeatedOf}`);
    }
    const answers: { status: number; kind?: string }[] = [];
    const started = performance.now();
    const spacing = (options.seconds * 1000) / total;
    await Promise.all(
      ids.map(async (id, k) => {
        await new Promise((r) => setTimeout(r, k * spacing));
        try {
          const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: alertBody(id) });
          const body = (await response.json()) as { status?: string };
          answers.push({ status: response.status, kind: body.status });
        } catch {
          answers.push({ status: 0 });
        }
      }),
    );
    const acceptedAt = performance.now();
    const distinctIds = [...new Set(ids)];
    await Promise.all(distinctIds.map((id) => target.arrival(id, options.timeoutMs)));
    const finishedAt = performance.now();
    const connection = await Connection.connect({ address: `127.0.0.1:${grpc}` });
    const runs = (await new Client({ connection }).workflow.count(`WorkflowType = 'playbook'`)).count;
    await connection.close();
    return {
      sent: total,
      distinct: distinctIds.length,
      answered200: answers.filter((a) => a.status === 200).length,
      started: answers.filter((a) => a.kind === 'started').length,
      duplicates: answers.filter((a) => a.kind === 'duplicate').length,
      otherAnswers: answers.filter((a) => a.status !== 200).length,
      runs,
      actionsDone: distinctIds.filter((id) => target.arrivals.has(id)).length,
      acceptAllS: Math.round((acceptedAt - started) / 100) / 10,
      finishAllS: Math.round((finishedAt - started) / 100) / 10,
      peakRssMb: Math.round(peak / MB),
      serverPeakRssMb: Math.round(serverPeak / MB),
    };
  } finally {
    clearInterval(sampler);
    talon.kill('SIGTERM');
    await new Promise((r) => talon.once('exit', r));
    await target.stop();
  }
}

/**
 * `npm run bench:cli`: how fast the compiled `talon` answers and how much memory its roles hold.
 * Runs `bin/talon.js` (build first: `npm run build`) as a user would, as whole processes:
 * - `talon version` and `talon rules check -r playbooks/rules.yaml`: wall time over several runs;
 * - `talon start`: time until /healthz answers 200 (the Temporal CLI cached), and its RSS idle;
 * - `talon serve` and `talon worker` against that server: RSS idle.
 * Figures only, no thresholds. Table on stdout, then one JSON line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/temporal/dev-server.ts';
import { percentile, round } from './pool.ts';
import { talonStartEnv } from './processes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/talon.js');
const RUNS = 9;
const MB = 1024 * 1024;

function timeCommand(args: string[]): { median: number; min: number; max: number } {
  const times: number[] = [];
  spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT }); // warm-up: file cache
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
    times.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`talon ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { median: round(percentile(times, 50)), min: round(times[0] ?? 0), max: round(times.at(-1) ?? 0) };
}

/** Resident set size of one process (not its children: the embedded Temporal server is apart). */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function spawnRole(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const version = timeCommand(['version']);
  const rulesCheck = timeCommand(['rules', 'check', '-r', 'playbooks/rules.yaml']);

  const [grpc, ui, http, servePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const db = join(mkdtempSync(join(tmpdir(), 'talon-bench-cli-')), 'temporal.db');
  const started = performance.now();
  const start = spawnRole(['start'], talonStartEnv({ grpc, ui, http }, db));
  try {
    await until(() => healthy(http), 60_000, '`talon start` to become healthy');
    const startHealthyMs = performance.now() - started;
    await until(() => /talon started/.test(start.output()), 30_000, '`talon start` to report started');
    await settle(3000);
    const startRss = rssBytes(start.child.pid ?? 0);
    const temporalRss = childPids(start.child.pid ?? 0).reduce((sum, pid) => sum + rssBytes(pid), 0);

    const temporal = { TEMPORAL_ADDRESS: `127.0.0.1:${grpc}`, LISTEN_ADDRESS: '127.0.0.1', LISTEN_PORT: String(servePort) };
    const serve = spawnRole(['serve'], temporal);
    await until(() => healthy(servePort), 30_000, '`talon serve` to become healthy');
    await settle(3000);
    const serveRss = rssBytes(serve.child.pid ?? 0);
    await stop(serve.child);

    const worker = spawnRole(['worker'], temporal);
    await until(() => /talon started/.test(worker.output()), 30_000, '`talon worker` to report started');
    await settle(3000);
    const workerRss = rssBytes(worker.child.pid ?? 0);
    await stop(worker.child);

    const result = {
      machine: { loadAvg1mStart: round(loadBefore, 2), loadAvg1mEnd: round(loadavg()[0] ?? 0, 2) },
      cli: { runs: RUNS, versionMs: version, rulesCheckMs: rulesCheck },
      start: { healthyMs: round(startHealthyMs), idleRssMB: round(startRss / MB, 1), embeddedTemporalRssMB: round(temporalRss / MB, 1) },
      serve: { idleRssMB: round(serveRss / MB, 1) },
      worker: { idleRssMB: round(workerRss / MB, 1) },
    };
    const row = (name: string, value: string) => `${name.padEnd(46)}${value}`;
    const ms = (f: { median: number; min: number; max: number }) => `${f.median} ms (min ${f.min}, max ${f.max})`;
    console.log(
      [
        row(`talon version (median of ${RUNS})`, ms(version)),
        row(`talon rules check (median of ${RUNS})`, ms(rulesCheck)),
        row('talon start → /healthz 200', `${result.start.healthyMs} ms`),
        row('talon start idle RSS (ingest + worker)', `${result.start.idleRssMB} MB (+ embedded Temporal ${result.start.embeddedTemporalRssMB} MB)`),
        row('talon serve idle RSS', `${result.serve.idleRssMB} MB`),
        row('talon worker idle RSS', `${result.worker.idleRssMB} MB`),
        row('load average (1 min) before → after', `${result.machine.loadAvg1mStart} → ${result.machine.loadAvg1mEnd}`),
      ].join('\n'),
    );
    console.log(JSON.stringify(result));
  } finally {
    await stop(start.child);
  }
}

await main();

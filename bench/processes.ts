import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/temporal/dev-server.ts';
import { ingestRulesYaml } from './alerts.ts';

// `talon` processes as the bench runs them (the built CLI, configured by environment only), and
// their resident memory read from /proc (Linux).

const BIN = fileURLToPath(new URL('../bin/talon.js', import.meta.url));

/** What `npm start` and the image pass to node before bin/talon.js (package.json, Dockerfile). */
export const TALON_NODE_FLAGS = '--max-semi-space-size=8';

/** Resident set of a process in bytes; 0 once it is gone. */
export function rssOf(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time a process has used so far (user + system, all its threads), in ms; NaN when unreadable.
 * /proc counts in clock ticks, 100 per second on Linux.
 */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Direct children of a process (the embedded Temporal server of `talon start`). */
export function childrenOf(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface TalonProcess {
  readonly process: ChildProcess;
  /** What it wrote to stderr so far (the ready lines, warnings, errors). */
  stderr(): string;
  /** SIGTERM, then waits for the exit (the worker drains first). */
  stop(): Promise<void>;
}

/**
 * Runs `talon <role>` with `env` over this process's environment and waits until it says it is
 * ready (its `Temporal:` line, printed once every role it runs is up).
 */
export async function spawnTalon(role: 'start' | 'serve' | 'worker', env: Record<string, string>, readyWithinMs = 60_000): Promise<TalonProcess> {
  // The V8 flag `npm start` and the image run talon with; BENCH_TALON_NODE_ARGS (e.g. `--cpu-prof
  // --cpu-prof-dir=/tmp/prof`) adds to it, or overrides it.
  const nodeArgs = [TALON_NODE_FLAGS, ...(process.env.BENCH_TALON_NODE_ARGS ?? '').split(' ')].filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, role], {
    // MALLOC_ARENA_MAX as `npm start` and the image set it.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', WATCH_RULES: 'false', WORKER_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const ready = () => /^Temporal:/m.test(stderr);
  for (let waited = 0; waited < readyWithinMs && !ready() && child.exitCode === null; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (!ready()) {
    await stop();
    throw new Error(`talon ${role} did not come up:\n${stderr}`);
  }
  return { process: child, stderr: () => stderr, stop };
}

/** The environment of a `talon start` on these loopback ports with its embedded server's database in `db`. */
export function talonStartEnv(ports: { grpc: number; ui: number; http: number }, db: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: '',
    TEMPORAL_EMBEDDED_PORT: String(ports.grpc),
    TEMPORAL_EMBEDDED_UI_PORT: String(ports.ui),
    TEMPORAL_EMBEDDED_DB_FILENAME: db,
    LISTEN_ADDRESS: '127.0.0.1',
    LISTEN_PORT: String(ports.http),
  };
}

export interface BenchTalonStart extends TalonProcess {
  /** Its embedded Temporal server's gRPC port, and the ingest's port. */
  readonly grpc: number;
  readonly http: number;
  /** Stops it and removes its rules and database. */
  stop(): Promise<void>;
}

/**
 * `talon start` as a user runs it (its embedded Temporal server on a database file), on free ports,
 * with the bench rule whose action calls `actionUrl` (a local activity with `local`), and the dedup
 * window given.
 */
export async function spawnTalonStart(actionUrl: string, dedupWindowSeconds: number, local = false): Promise<BenchTalonStart> {
  const dir = mkdtempSync(join(tmpdir(), 'talon-bench-start-'));
  writeFileSync(join(dir, 'rules.yaml'), ingestRulesYaml(actionUrl, local));
  const [grpc, ui, http] = [await freePort(), await freePort(), await freePort()];
  const talon = await spawnTalon('start', {
    ...talonStartEnv({ grpc, ui, http }, join(dir, 'temporal.db')),
    RULES_FILES: join(dir, 'rules.yaml'),
    DEDUPLICATION_TIME_WINDOW_SECONDS: String(dedupWindowSeconds),
  });
  return {
    ...talon,
    grpc,
    http,
    stop: async () => {
      await talon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

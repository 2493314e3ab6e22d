import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenOf, talonStartEnv } from '../../bench/processes.ts';
import { freePort } from '../../src/temporal/dev-server.ts';

const BIN = fileURLToPath(new URL('../../bin/talon.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `talon` command to completion. */
export async function runTalon(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

export interface TalonProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the combined output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running `talon` role (serve, worker, start) as a separate process. */
export function spawnTalon(args: string[], env: Record<string, string> = {}): TalonProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', WORKER_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) reject(new Error(`talon exited before ${pattern}; output:\n${output}`));
        });
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * `talon start` with the default playbook on free ports (its own embedded server, a SQLite file in
 * a temporary folder), resolved once its ingest is up. A port found free can be taken by another
 * test's process before talon binds it, so a start that fails on a taken port is tried again on new ones.
 */
export async function spawnTalonStart(env: Record<string, string> = {}): Promise<{ talon: TalonProcess; grpc: number; ui: number; http: number; db: string }> {
  for (let attempt = 1; ; attempt++) {
    const [grpc, ui, http] = [await freePort(), await freePort(), await freePort()];
    const db = join(mkdtempSync(join(tmpdir(), 'talon-start-')), 'temporal.db');
    const talon = spawnTalon(['start', '-r', 'playbooks/rules.yaml'], { ...talonStartEnv({ grpc, ui, http }, db), ...env });
    try {
      await talon.waitFor(/Ingest endpoint: /, 90_000);
      return { talon, grpc, ui, http, db };
    } catch (error) {
      await talon.kill('SIGTERM');
      if (attempt < 3 && /address already in use|EADDRINUSE/.test(talon.output())) continue;
      throw error;
    }
  }
}

/** The command lines of a process's children (Linux `/proc`), e.g. the embedded Temporal server of `talon start`. */
export function childCommandLines(pid: number | undefined): string[][] {
  return childrenOf(pid).map((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean));
}

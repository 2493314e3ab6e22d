import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** A control-plane process whose output goes to a log file kept for post-mortems. */
export interface LoggedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The last lines of the log, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `bin args…` with stdout+stderr appended to `logFile`. Not detached: a Ctrl-C on the test
 * run reaches these processes too, so an interrupted run leaves no etcd or apiserver behind.
 */
export function spawnLogged(name: string, bin: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): LoggedProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => log.end(resolve));
  };
  return { name, child, logFile, tail, stop };
}

/**
 * Polls `probe` every `intervalMs` until it returns true. Fails fast if `proc` dies (with its log
 * tail in the message) and after `timeoutMs` — the two ways a control-plane start goes wrong.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  proc: LoggedProcess | undefined,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${what}; log ${proc.logFile}:\n${proc.tail()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const log = proc ? `; log ${proc.logFile}:\n${proc.tail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

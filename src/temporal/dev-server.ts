import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../log.ts';
import { ensureTemporalCli } from './cli-binary.ts';
import { devServerSearchAttributeFlags } from './search-attributes.ts';

export interface DevServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** 0 picks a free port; `false` runs headless. @default false */
  uiPort?: number | false;
  /** Where the UI decrypts payloads (`--ui-codec-endpoint`): the ingest's `/codec` when encryption is on. */
  uiCodecEndpoint?: string;
  /** Port of the server's own Prometheus `/metrics` on loopback; 0 picks a free one. Absent: the CLI picks one and it is not reported. */
  metricsPort?: number;
  /** SQLite file; absent keeps everything in memory (tests). */
  dbFilename?: string;
  /** How that file commits (SQLite's `synchronous`, in WAL mode): `full` syncs each commit. @default 'full' */
  dbSynchronous?: 'full' | 'normal';
  namespace?: string;
  log?: Logger;
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl?: string;
  /** The server's Prometheus metrics, when `metricsPort` was given. */
  readonly metricsUrl?: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(address: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode}:\n${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address} within 60 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Starts `temporal server start-dev` on loopback with the playbook search attributes registered,
 * and waits until it answers. The embedded default for `talon start` and for every test.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = await ensureTemporalCli();
  const port = options.port || (await freePort());
  const uiPort = options.uiPort === false ? undefined : options.uiPort || (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn', ...devServerSearchAttributeFlags()];
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  const metricsPort = options.metricsPort === undefined ? undefined : options.metricsPort || (await freePort());
  if (metricsPort !== undefined) args.push('--metrics-port', String(metricsPort));
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (uiPort !== undefined && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) {
    mkdirSync(dirname(options.dbFilename), { recursive: true });
    // A write-ahead log: one sync per commit instead of the rollback journal's several, the same
    // durability with `full` (1,000 alerts to `talon start`: accepted 56 → 83 /s, completed 17 → 25 /s).
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${options.dbSynchronous ?? 'full'}`);
  }
  // Own process group, so stop() also ends anything the CLI spawned.
  const child = spawn(cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8192);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForServer(address, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  options.log?.info({ address, ui: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, cli: cli.path }, 'temporal dev server started');
  return {
    address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`,
    process: child,
    stop,
  };
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../src/temporal/dev-server.ts';
import { spawnLogged, waitUntil, type LoggedProcess } from './proc.ts';

export interface Etcd {
  readonly url: string;
  readonly process: LoggedProcess;
}

/**
 * A single-member etcd on random loopback ports with its data in `dir`. fsync is off: the data
 * lives for one test run, and fsync on a busy CI disk is what makes etcd (and so the apiserver) slow.
 */
export async function startEtcd(bin: string, dir: string): Promise<Etcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(dir, 'etcd-data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const args = [
    '--name=talon-test',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=talon-test=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
  const process = spawnLogged('etcd', bin, args, join(dir, 'etcd.log'));
  try {
    await waitUntil(
      `etcd on ${url}`,
      async () => {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      process,
      30_000,
    );
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { url, process };
}

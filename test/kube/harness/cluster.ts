import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { startApiserver } from './apiserver.ts';
import { findKubeBinaries } from './binaries.ts';
import { startEtcd } from './etcd.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { startKwok } from './kwok.ts';
import { createPki } from './pki.ts';
import { spawnLogged, type LoggedProcess } from './proc.ts';

export interface KubeCluster {
  /** Admin kubeconfig (client cert in system:masters), self-contained: what a user hands the engine. */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** Loaded from kubeconfigPath. */
  readonly kubeConfig: KubeConfig;
  /** True when KWOK simulates kubelets, i.e. createFakeNode works and deleted pods on them go away. */
  readonly kwok: boolean;
  /** Temp dir with PKI, etcd data and the logs (etcd.log, kube-apiserver.log, kwok.log). */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface StartKubeOptions {
  /** Start KWOK when its binary is provisioned. @default true */
  kwok?: boolean;
  /** Keep `dir` (logs, data) after stop() for post-mortems. @default process.env.TALON_KUBE_KEEP === '1' */
  keepDir?: boolean;
}

/**
 * Starts a real control plane — etcd + kube-apiserver + the Job controller (+ KWOK) — on random
 * loopback ports, with no other controllers, in the manner of controller-runtime's envtest. Takes seconds with cached binaries;
 * throws naming `scripts/provision-kube.sh` when they are missing.
 */
export async function startKube(options: StartKubeOptions = {}): Promise<KubeCluster> {
  const bins = findKubeBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'talon-kube-'));
  const keepDir = options.keepDir ?? process.env.TALON_KUBE_KEEP === '1';
  const running: LoggedProcess[] = [];
  // Reverse start order: KWOK and the apiserver must not outlive etcd's clients mid-shutdown.
  const stop = async () => {
    for (const proc of running.reverse()) await proc.stop();
    running.length = 0;
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [pki, etcd] = await Promise.all([createPki(dir), startEtcd(bins.etcd, dir)]);
    running.push(etcd.process);
    const apiserver = await startApiserver(bins.apiserver, dir, etcd.url, pki);
    running.push(apiserver.process);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    const kubeConfig = writeKubeconfig(kubeconfigPath, apiserver.server, pki.caPem, 'talon-test-admin', {
      certPem: pki.adminCertPem,
      keyPem: pki.adminKeyPem,
    });
    // The Job controller: pods for Jobs (sysdig's capture Job), as kube-controller-manager would.
    running.push(spawnLogged('kube-job-controller', bins.jobController, [`--kubeconfig=${kubeconfigPath}`, '--v=1'], join(dir, 'kube-job-controller.log')));
    const useKwok = (options.kwok ?? true) && bins.kwok !== undefined;
    if (useKwok && bins.kwok) running.push(await startKwok(bins.kwok, kubeconfigPath, dir));
    return { kubeconfigPath, server: apiserver.server, kubeConfig, kwok: useKwok, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

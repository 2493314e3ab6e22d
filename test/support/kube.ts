/**
 * A real Kubernetes control plane for tests (etcd + kube-apiserver + KWOK, and only the Job controller), built
 * by `bash scripts/provision-kube.sh`. Start it once per run with kube-global.ts; tests reach it
 * through {@link testKube}. The pieces live in test/kube/harness/.
 */
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadKubeconfig } from '../kube/harness/kubeconfig.ts';
import type { KubeAdmin } from '../kube/harness/sa.ts';

export { startKube, type KubeCluster, type StartKubeOptions } from '../kube/harness/cluster.ts';
export { findKubeBinaries, pinnedVersions, type KubeBinaries } from '../kube/harness/binaries.ts';
export { kubeconfigForServiceAccount, ignoreConflict, type KubeAdmin, type ServiceAccountAccess } from '../kube/harness/sa.ts';
export { createFakeNode, createOwnedPod, type OwnedPod, type OwnedPodOptions, type OwnerKind } from '../kube/harness/objects.ts';
export { KUBELET_LOG_LINES, KWOK_NODE_ANNOTATION, kubeletLogFile } from '../kube/harness/kwok.ts';
export { loadKubeconfig, writeKubeconfig } from '../kube/harness/kubeconfig.ts';
export { waitUntil } from '../kube/harness/proc.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the run's control plane (test/support/kube-global.ts). */
    kubeconfigPath: string;
    /** Whether KWOK runs, i.e. whether createFakeNode can be used. */
    kubeKwok: boolean;
    /** The control plane's directory: KWOK's kubelet files (container logs, exec working directory) are under `kubelet/`. */
    kubeDir: string;
  }
}

/** The run's shared cluster as seen from a test worker: admin access plus whether KWOK runs. */
export interface TestKube extends KubeAdmin {
  readonly kwok: boolean;
  /** Where KWOK runs exec'd commands (the simulated containers' working directory). */
  readonly kubeletDir: string;
}

/** Connects to the cluster that kube-global.ts started for this vitest run. */
export function testKube(): TestKube {
  const kubeconfigPath = inject('kubeconfigPath');
  return { kubeconfigPath, kubeConfig: loadKubeconfig(kubeconfigPath), kwok: inject('kubeKwok'), kubeletDir: join(inject('kubeDir'), 'kubelet') };
}

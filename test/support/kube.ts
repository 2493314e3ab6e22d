/**
 * A real Kubernetes control plane for tests (etcd + kube-apiserver + KWOK, no controllers), built
 * by `bash scripts/provision-kube.sh`. Start it once per run with kube-global.ts; tests reach it
 * through {@link testKube}. The pieces live in test/kube/harness/.
 */
import { inject } from 'vitest';
import { loadKubeconfig } from '../kube/harness/kubeconfig.ts';
import type { KubeAdmin } from '../kube/harness/sa.ts';

export { startKube, type KubeCluster, type StartKubeOptions } from '../kube/harness/cluster.ts';
export { findKubeBinaries, pinnedVersions, type KubeBinaries } from '../kube/harness/binaries.ts';
export { kubeconfigForServiceAccount, ignoreConflict, type KubeAdmin, type ServiceAccountAccess } from '../kube/harness/sa.ts';
export { createFakeNode, createOwnedPod, type OwnedPod, type OwnedPodOptions, type OwnerKind } from '../kube/harness/objects.ts';
export { KWOK_NODE_ANNOTATION } from '../kube/harness/kwok.ts';
export { loadKubeconfig, writeKubeconfig } from '../kube/harness/kubeconfig.ts';
export { waitUntil } from '../kube/harness/proc.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the run's control plane (test/support/kube-global.ts). */
    kubeconfigPath: string;
    /** Whether KWOK runs, i.e. whether createFakeNode can be used. */
    kubeKwok: boolean;
  }
}

/** The run's shared cluster as seen from a test worker: admin access plus whether KWOK runs. */
export interface TestKube extends KubeAdmin {
  readonly kwok: boolean;
}

/** Connects to the cluster that kube-global.ts started for this vitest run. */
export function testKube(): TestKube {
  const kubeconfigPath = inject('kubeconfigPath');
  return { kubeconfigPath, kubeConfig: loadKubeconfig(kubeconfigPath), kwok: inject('kubeKwok') };
}

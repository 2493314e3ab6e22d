import type { TestProject } from 'vitest/node';
// Straight from the harness: kube.ts imports vitest's worker-side `inject`, not for this process.
import { startKube, type KubeCluster } from '../kube/harness/cluster.ts';

let cluster: KubeCluster | undefined;

/**
 * vitest globalSetup: one control plane for the whole run (a few seconds with cached binaries).
 * Tests isolate themselves by namespace, not by cluster.
 */
export async function setup(project: TestProject): Promise<void> {
  cluster = await startKube();
  project.provide('kubeconfigPath', cluster.kubeconfigPath);
  project.provide('kubeKwok', cluster.kwok);
  project.provide('kubeDir', cluster.dir);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}

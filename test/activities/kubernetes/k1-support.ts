/**
 * Helpers for the terminate/delete/cordon/drain tests (the general ones live in k2-support.ts):
 * running a descriptor as the activity does (parse, checks, run), and setting the replica counts
 * that the missing controllers would have written.
 */
import { ApiException, AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { mergePatch } from '../../../activities/kubernetes/client.ts';
import type { ActionnerImplementation, ActionResult, Deps } from '../../../activities/types.ts';
import type { ActionnerSpec } from '../../../src/contract/index.ts';
import type { FalcoEvent } from '../../../src/contract/index.ts';
import { waitUntil } from '../../support/kube.ts';
import { rulesFromYaml } from '../../support/fixtures.ts';
import { actionInput } from './k2-support.ts';

/** Parameters through the schema, then checks, then run: what the activity wrapper does. */
export async function runActionner<P>(actionner: ActionnerImplementation<P>, raw: unknown, event: FalcoEvent, deps: Deps): Promise<ActionResult> {
  const input = actionInput(event, actionner.spec.params.parse(raw));
  await actionner.checks?.(input, deps);
  return actionner.run(input, deps);
}

/** The HTTP status of a read: 200, or the API's error code (404 once an object is gone). */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

export type ReplicatedKind = 'ReplicaSet' | 'StatefulSet' | 'DaemonSet';

/**
 * Sets desired replicas (spec, or the DaemonSet's desiredNumberScheduled) and ready replicas
 * through the status subresource, as the controllers would.
 */
export async function setReplicas(kc: KubeConfig, kind: ReplicatedKind, namespace: string, name: string, desired: number, ready: number): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const replicas = Math.max(desired, ready);
  switch (kind) {
    case 'ReplicaSet':
      await apps.patchNamespacedReplicaSet({ name, namespace, body: { spec: { replicas: desired } } }, mergePatch);
      await apps.patchNamespacedReplicaSetStatus({ name, namespace, body: { status: { replicas, readyReplicas: ready } } }, mergePatch);
      return;
    case 'StatefulSet':
      await apps.patchNamespacedStatefulSet({ name, namespace, body: { spec: { replicas: desired } } }, mergePatch);
      await apps.patchNamespacedStatefulSetStatus({ name, namespace, body: { status: { replicas, readyReplicas: ready } } }, mergePatch);
      return;
    case 'DaemonSet':
      await apps.patchNamespacedDaemonSetStatus(
        { name, namespace, body: { status: { desiredNumberScheduled: desired, currentNumberScheduled: desired, numberMisscheduled: 0, numberReady: ready } } },
        mergePatch,
      );
  }
}

/** Another pod of the same owner (same labels and ownerReferences) on `nodeName`. */
export async function siblingPod(kc: KubeConfig, of: V1Pod, name: string, nodeName: string | undefined): Promise<V1Pod> {
  return kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: of.metadata?.namespace ?? '',
    body: {
      metadata: { name, labels: of.metadata?.labels, ownerReferences: of.metadata?.ownerReferences },
      spec: { nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
    },
  });
}

/** Waits until the pod's Ready condition is True (KWOK runs pods bound to its nodes). */
export async function waitReady(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitUntil(
    `pod ${namespace}/${name} Ready`,
    async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    undefined,
    30_000,
    100,
  );
}

export async function waitGone(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitUntil(`pod ${namespace}/${name} gone`, async () => (await statusOf(core.readNamespacedPod({ name, namespace }))) === 404, undefined, 30_000, 100);
}

/** Loads the spec's example through the real catalogue (stage A and B) as the action of a rule; returns that action. */
export async function loadExample(actionner: { readonly spec: Pick<ActionnerSpec, 'example'> }) {
  const action = /^- action: (.+)$/m.exec(actionner.spec.example)?.[1];
  const ruleSet = await rulesFromYaml(`${actionner.spec.example}\n- rule: r\n  actions:\n    - action: ${action}\n`);
  return ruleSet.rules[0]?.actions[0];
}

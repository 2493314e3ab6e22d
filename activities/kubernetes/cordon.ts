import type { V1Pod } from '@kubernetes/client-node';
import type { Change, UndoResult } from '../../src/contract/index.ts';
import { permanent, retryable } from '../errors.ts';
import type { ActionnerImplementation, Deps } from '../types.ts';
import { getEventPod, isNotFound, kubeCall, kubeFailure, mergePatch, statusOf, type KubeApis } from './client.ts';
import { kubernetesCordonSpec, type CordonParams } from './cordon.spec.ts';
import { eventPodExists } from './pod-check.ts';

/** The node the pod is scheduled on; a pending pod has none (reference text). */
export function podNodeName(pod: V1Pod): string {
  const node = pod.spec?.nodeName ?? '';
  if (node === '') {
    throw permanent('NodeNotFound', `can't find the node for the pod '${pod.metadata?.name ?? ''}' in namespace '${pod.metadata?.namespace ?? ''}'`);
  }
  return node;
}

/** Marks the node unschedulable with a merge patch of that one field (like `kubectl cordon`); twice is harmless. */
export async function cordonNode(apis: KubeApis, node: string): Promise<void> {
  await kubeCall({ verb: 'patch', resource: 'nodes', name: node, notFoundType: 'NodeNotFound' }, () =>
    apis.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, mergePatch),
  );
}

/**
 * Uncordons the node only when the action is what cordoned it (schedulable before) and it is still
 * cordoned: a node cordoned before stays so, and one uncordoned since is someone else's decision.
 * The patch is conditional on the resourceVersion read; a conflict starts again from the read.
 */
export async function uncordonNode(change: Change, deps: Deps): Promise<UndoResult> {
  if (change.kind !== 'cordon') throw permanent('WrongChange', `cannot undo a '${change.kind}' change as a cordon`);
  const { node } = change;
  const what = `the node '${node}'`;
  const objects = { node };
  if (change.wasUnschedulable) return { result: `${what} was cordoned before the action: left cordoned`, objects, skipped: [node] };
  const apis = await deps.clients.kubernetes();
  const req = { resource: 'nodes', name: node, notFoundType: 'NodeNotFound' };
  for (let round = 0; round < 3; round++) {
    let resourceVersion: string | undefined;
    try {
      const current = await apis.core.readNode({ name: node });
      if (current.spec?.unschedulable !== true) return { result: `${what} has been uncordoned since the action: left as it is`, objects, skipped: [node] };
      resourceVersion = current.metadata?.resourceVersion;
    } catch (error) {
      if (isNotFound(error)) return { result: `${what} no longer exists: nothing to undo`, objects };
      throw kubeFailure(error, { ...req, verb: 'get' });
    }
    try {
      await apis.core.patchNode({ name: node, body: { metadata: { resourceVersion }, spec: { unschedulable: false } } }, mergePatch);
      return { result: `${what} has been uncordoned`, objects };
    } catch (error) {
      if (isNotFound(error)) return { result: `${what} no longer exists: nothing to undo`, objects };
      if (statusOf(error) !== 409) throw kubeFailure(error, { ...req, verb: 'patch' });
    }
  }
  throw retryable('Kubernetes409', `${what} kept changing while being uncordoned`);
}

/** `kubernetes:cordon`: marks the node of the event's pod unschedulable. */
export const kubernetesCordon: ActionnerImplementation<CordonParams> = {
  spec: kubernetesCordonSpec,
  checks: eventPodExists,
  async run({ event }, deps) {
    const apis = await deps.clients.kubernetes();
    const node = podNodeName(await getEventPod(apis, event));
    await cordonNode(apis, node);
    return { status: 'success', result: `the node '${node}' has been cordoned`, objects: { node } };
  },
  async snapshot({ event }, deps) {
    const apis = await deps.clients.kubernetes();
    const node = podNodeName(await getEventPod(apis, event));
    const current = await kubeCall({ verb: 'get', resource: 'nodes', name: node, notFoundType: 'NodeNotFound' }, () => apis.core.readNode({ name: node }));
    return { kind: 'cordon', node, wasUnschedulable: current.spec?.unschedulable === true };
  },
  undo: uncordonNode,
};

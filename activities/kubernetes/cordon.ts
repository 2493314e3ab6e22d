import type { V1Pod } from '@kubernetes/client-node';
import { permanent } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { getEventPod, kubeCall, mergePatch, type KubeApis } from './client.ts';
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
};

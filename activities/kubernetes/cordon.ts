import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { permanent } from '../errors.ts';
import type { ActionnerDescriptor } from '../types.ts';
import { getEventPod, kubeApis, kubeCall, mergePatch, type KubeApis } from './client.ts';

const params = z.object({}).strict();

export type CordonParams = z.output<typeof params>;

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

/** RBAC for {@link cordonNode}. */
export const cordonRules = [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }] as const;

/** `kubernetes:cordon`: marks the node of the event's pod unschedulable. */
export const kubernetesCordon: ActionnerDescriptor<CordonParams> = {
  name: 'kubernetes:cordon',
  category: 'kubernetes',
  description: 'Cordon the node of the pod',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  permissions: { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, ...cordonRules] },
  timeout: '30s',
  example: `- action: Cordon the node
  actionner: kubernetes:cordon
`,
  async checks({ event }, deps) {
    await getEventPod(kubeApis(deps.config), event);
  },
  async run({ event }, deps) {
    const apis = kubeApis(deps.config);
    const node = podNodeName(await getEventPod(apis, event));
    await cordonNode(apis, node);
    return { status: 'success', result: `the node '${node}' has been cordoned`, objects: { node } };
  },
};

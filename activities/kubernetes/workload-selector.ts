import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { permanent } from '../errors.ts';
import { getEventPod, kubeCall, type KubeApis } from './client.ts';

/** Labels the controllers add per revision: a selector keeping them would miss the next rollout's pods. */
const GENERATED = new Set(['pod-template-hash', 'pod-template-generation', 'controller-revision-hash']);

/** The workload a pod belongs to, as network policies select it. */
export interface Workload {
  /** Name of the top owner (the Deployment of a ReplicaSet), or the pod's own name when it has none. */
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: NonNullable<V1LabelSelector['matchExpressions']>;
}

function stripGenerated(selector: V1LabelSelector | undefined): Pick<Workload, 'matchLabels' | 'matchExpressions'> {
  const matchLabels = Object.fromEntries(Object.entries(selector?.matchLabels ?? {}).filter(([key]) => !GENERATED.has(key)));
  const matchExpressions = (selector?.matchExpressions ?? []).filter((e) => !GENERATED.has(e.key));
  return { matchLabels, matchExpressions };
}

/**
 * The pod's workload (reference §6.2): its controller's selector (DaemonSet, StatefulSet,
 * ReplicaSet), or its own labels when it has no owner, minus the per-revision labels. Unlike the
 * reference, a ReplicaSet owned by a Deployment is named after the Deployment, so one policy keeps
 * covering the workload across rollouts, and `matchExpressions` are kept, so the policy never
 * selects more pods than the controller does.
 */
export async function podWorkload(apis: KubeApis, pod: V1Pod): Promise<Workload> {
  const podName = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const refs = pod.metadata?.ownerReferences ?? [];
  const owner = refs.find((r) => r.controller === true) ?? refs[0];
  const read = <T>(resource: string, call: () => Promise<T>) =>
    kubeCall({ verb: 'get', resource, name: owner?.name, namespace, notFoundType: 'OwnerNotFound' }, call);
  let workload: Workload | undefined;
  if (!owner) {
    workload = { name: podName, ...stripGenerated({ matchLabels: pod.metadata?.labels }) };
  } else if (owner.kind === 'ReplicaSet') {
    const rs = await read('replicasets', () => apis.apps.readNamespacedReplicaSet({ name: owner.name, namespace }));
    const deployment = rs.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment' && r.controller === true);
    workload = { name: deployment?.name ?? owner.name, ...stripGenerated(rs.spec?.selector) };
  } else if (owner.kind === 'DaemonSet') {
    const ds = await read('daemonsets', () => apis.apps.readNamespacedDaemonSet({ name: owner.name, namespace }));
    workload = { name: owner.name, ...stripGenerated(ds.spec?.selector) };
  } else if (owner.kind === 'StatefulSet') {
    const sts = await read('statefulsets', () => apis.apps.readNamespacedStatefulSet({ name: owner.name, namespace }));
    workload = { name: owner.name, ...stripGenerated(sts.spec?.selector) };
  }
  // An empty selector would select every pod of the namespace.
  if (!workload || (Object.keys(workload.matchLabels).length === 0 && workload.matchExpressions.length === 0)) {
    throw permanent('WorkloadNotFound', `can't find the owner and/or labels for the pod '${podName}' in namespace '${namespace}'`);
  }
  return workload;
}

/**
 * Where the policy actionners write, and under which name: the event's pod's namespace and its
 * workload (the policy is named after the workload). One function, so a time-boxed action's
 * snapshot reads the very policy the action then writes.
 */
export async function eventWorkload(apis: KubeApis, event: FalcoEvent): Promise<{ pod: V1Pod; namespace: string; workload: Workload }> {
  const pod = await getEventPod(apis, event);
  return { pod, namespace: pod.metadata?.namespace ?? '', workload: await podWorkload(apis, pod) };
}

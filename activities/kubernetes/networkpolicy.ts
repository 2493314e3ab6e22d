import type { V1NetworkPolicy, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import type { ActionnerImplementation } from '../types.ts';
import { networkPolicySpec, type NetworkPolicyParams } from './networkpolicy.spec.ts';
import type { KubeApis } from './client.ts';
import { MANAGED_BY, selectorKey, snapshotPolicy, undoPolicy, upsertPolicy, type PolicyKind } from './managed-policy.ts';
import { eventWorkload, type Workload } from './workload-selector.ts';

/** The label the API server puts on every namespace (the reference used `k8s.io/metadata.name`). */
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

/** The desired policy: egress only to the allow lists; with none, no egress rule at all = deny all egress. */
function desiredPolicy(workload: Workload, namespace: string, parameters: NetworkPolicyParams): V1NetworkPolicy {
  const to: V1NetworkPolicyPeer[] = [
    ...[...new Set(parameters.allow_cidr)].map((block) => ({ ipBlock: { cidr: block } })),
    ...[...new Set(parameters.allow_namespaces)].map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: ns } } })),
  ];
  const podSelector = {
    matchLabels: { ...workload.matchLabels },
    ...(workload.matchExpressions.length > 0 ? { matchExpressions: workload.matchExpressions } : {}),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: workload.name, namespace, labels: { ...workload.matchLabels, [MANAGED_BY.key]: MANAGED_BY.value } },
    spec: { podSelector, policyTypes: ['Egress'], ...(to.length > 0 ? { egress: [{ to }] } : {}) },
  };
}

/** Native NetworkPolicies through the networking API. */
function nativePolicies(apis: KubeApis): PolicyKind<V1NetworkPolicy> {
  return {
    noun: 'networkpolicy',
    resource: 'networkpolicies',
    read: (name, namespace) => apis.networking.readNamespacedNetworkPolicy({ name, namespace }),
    create: (namespace, body) => apis.networking.createNamespacedNetworkPolicy({ namespace, body }),
    replace: (name, namespace, body) => apis.networking.replaceNamespacedNetworkPolicy({ name, namespace, body }),
    delete: (name, namespace, resourceVersion) =>
      apis.networking.deleteNamespacedNetworkPolicy({ name, namespace, body: { preconditions: { resourceVersion } } }),
    selectorField: 'podSelector',
    selector: (policy) => policy.spec?.podSelector,
    selectorKey: (policy) => selectorKey(policy.spec?.podSelector),
  };
}

/** `kubernetes:networkpolicy`: restricts the egress of the pod's workload with a native NetworkPolicy. */
export const networkPolicy: ActionnerImplementation<NetworkPolicyParams> = {
  spec: networkPolicySpec,
  async run({ event, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const { pod, namespace, workload } = await eventWorkload(apis, event);
    const done = await upsertPolicy(nativePolicies(apis), workload.name, namespace, desiredPolicy(workload, namespace, parameters));
    return {
      status: 'success',
      result: `the networkpolicy '${workload.name}' in the namespace '${namespace}' has been ${done}`,
      objects: { pod: pod.metadata?.name ?? '', namespace, networkpolicy: workload.name },
    };
  },
  snapshot: ({ event }, deps) => snapshotPolicy('kubernetes:networkpolicy', nativePolicies, event, deps),
  undo: (change, deps) => undoPolicy('kubernetes:networkpolicy', nativePolicies, change, deps),
};

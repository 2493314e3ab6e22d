import type { V1LabelSelector, V1NetworkPolicy, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import { permanent, retryable } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { networkPolicySpec, type NetworkPolicyParams } from './networkpolicy.spec.ts';
import { getEventPod, isNotFound, kubeFailure, statusOf, type KubeApis } from './client.ts';
import { podWorkload, type Workload } from './workload-selector.ts';

export const MANAGED_BY = { key: 'app.k8s.io/managed-by', value: 'falco-talon' } as const;
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

/** A selector in a canonical form (keys, expressions and their values sorted), for comparing two. */
function selectorKey(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = (selector?.matchExpressions ?? []).map((e) => JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()])).sort();
  return JSON.stringify([labels, expressions]);
}

/**
 * GET, then CREATE when absent or REPLACE (with the read resourceVersion) when present. A 409 —
 * created or changed by someone else since the read, e.g. by this action's previous attempt whose
 * answer was lost — restarts from the read, so a retry converges on the same policy.
 */
async function upsert(apis: KubeApis, policy: V1NetworkPolicy, namespace: string): Promise<'created' | 'updated'> {
  const name = policy.metadata?.name ?? '';
  const req = { resource: 'networkpolicies', name, namespace };
  for (let round = 0; round < 3; round++) {
    let existing: V1NetworkPolicy | undefined;
    try {
      existing = await apis.networking.readNamespacedNetworkPolicy({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw kubeFailure(error, { ...req, verb: 'get' });
    }
    // Replacing a policy someone wrote by hand would silently drop its rules (ingress included).
    if (existing && existing.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) {
      throw permanent(
        'NetworkPolicyNotManaged',
        `the networkpolicy '${name}' in the namespace '${namespace}' exists and is not managed by falco-talon (label ${MANAGED_BY.key}=${MANAGED_BY.value}); not replacing it`,
      );
    }
    // Policies are named after the workload, so two workloads of one name (a Deployment and a
    // StatefulSet `db`) share one: replacing its podSelector would lift the other's isolation. A
    // retry or another alert about the same workload has the same selector and goes through.
    if (existing && selectorKey(existing.spec?.podSelector) !== selectorKey(policy.spec?.podSelector)) {
      throw permanent(
        'NetworkPolicyConflict',
        `the networkpolicy '${name}' in the namespace '${namespace}' already isolates another workload of that name ` +
          `(podSelector ${JSON.stringify(existing.spec?.podSelector ?? {})}, this pod's workload needs ${JSON.stringify(policy.spec?.podSelector ?? {})}); not replacing it`,
      );
    }
    try {
      if (!existing) {
        await apis.networking.createNamespacedNetworkPolicy({ namespace, body: policy });
        return 'created';
      }
      const body = { ...policy, metadata: { ...policy.metadata, resourceVersion: existing.metadata?.resourceVersion } };
      await apis.networking.replaceNamespacedNetworkPolicy({ name, namespace, body });
      return 'updated';
    } catch (error) {
      if (statusOf(error) !== 409) throw kubeFailure(error, { ...req, verb: existing ? 'update' : 'create' });
    }
  }
  throw retryable('Kubernetes409', `the networkpolicy '${name}' in the namespace '${namespace}' kept changing while being written`);
}

/** `kubernetes:networkpolicy`: restricts the egress of the pod's workload with a native NetworkPolicy. */
export const networkPolicy: ActionnerImplementation<NetworkPolicyParams> = {
  spec: networkPolicySpec,
  async run({ event, parameters }, deps) {
    const apis = await deps.clients.kubernetes();
    const pod = await getEventPod(apis, event);
    const namespace = pod.metadata?.namespace ?? '';
    const workload = await podWorkload(apis, pod);
    const done = await upsert(apis, desiredPolicy(workload, namespace, parameters), namespace);
    return {
      status: 'success',
      result: `the networkpolicy '${workload.name}' in the namespace '${namespace}' has been ${done}`,
      objects: { pod: pod.metadata?.name ?? '', namespace, networkpolicy: workload.name },
    };
  },
};

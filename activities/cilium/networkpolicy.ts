import { z } from 'zod';
import { checkPodAndRemoteIp, customPolicies, denyRemoteIp, policySchema, union } from '../kubernetes/custom-policy.ts';
import type { KubeApis } from '../kubernetes/client.ts';
import { MANAGED_BY, selectorKey, snapshotPolicy, undoPolicy } from '../kubernetes/managed-policy.ts';
import type { Workload } from '../kubernetes/workload-selector.ts';
import type { ActionnerImplementation } from '../types.ts';
import { ciliumNetworkPolicySpec, type CiliumNetworkPolicyParams } from './networkpolicy.spec.ts';

/** The label Cilium gives every endpoint for its namespace (the reference used `k8s.io/metadata.name`). */
const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
  })
  .loose();
const egressRule = z.object({ toCIDR: z.array(z.string()).optional(), toEndpoints: z.array(labelSelector).optional() }).loose();
const spec = z
  .object({
    description: z.string().optional(),
    endpointSelector: labelSelector.optional(),
    egressDeny: z.array(egressRule).optional(),
    egress: z.array(egressRule).optional(),
  })
  .loose();
const ciliumPolicy = policySchema(spec);
type CiliumPolicy = z.infer<typeof ciliumPolicy>;
type EgressRule = z.infer<typeof egressRule>;

/** Deny the remote IP; allow the allow lists (none: everywhere). Cilium's deny rules win over allows. */
function desiredPolicy(workload: Workload, namespace: string, deny: string, parameters: CiliumNetworkPolicyParams): CiliumPolicy {
  const egress: EgressRule[] = [];
  if (parameters.allow_cidr.length > 0) egress.push({ toCIDR: [...new Set(parameters.allow_cidr)] });
  if (parameters.allow_namespaces.length > 0) {
    egress.push({ toEndpoints: [{ matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'In', values: [...new Set(parameters.allow_namespaces)] }] }] });
  }
  if (egress.length === 0) egress.push({ toCIDR: ['0.0.0.0/0', '::/0'] });
  const endpointSelector = {
    matchLabels: { ...workload.matchLabels },
    ...(workload.matchExpressions.length > 0
      ? { matchExpressions: workload.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values })) }
      : {}),
  };
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: workload.name, namespace, labels: { ...workload.matchLabels, [MANAGED_BY.key]: MANAGED_BY.value } },
    spec: { description: 'Network policy created by Falco Talon', endpointSelector, egressDeny: [{ toCIDR: [deny] }], egress },
  };
}

/** An existing policy keeps the IPs it denied already, each once (the reference appended duplicate rules). */
function merge(existing: CiliumPolicy, desired: CiliumPolicy): CiliumPolicy {
  const denied = (policy: CiliumPolicy) => policy.spec?.egressDeny?.flatMap((r) => r.toCIDR ?? []);
  return { ...desired, spec: { ...desired.spec, egressDeny: [{ toCIDR: union(denied(existing), denied(desired)) }] } };
}

/** CiliumNetworkPolicies (cilium.io/v2), selected by their endpoint selector. */
const ciliumPolicies = (apis: KubeApis) =>
  customPolicies(apis, { group: 'cilium.io', version: 'v2', plural: 'ciliumnetworkpolicies', noun: 'ciliumnetworkpolicy' }, ciliumPolicy, {
    selectorField: 'endpointSelector',
    selector: (policy) => policy.spec?.endpointSelector,
    selectorKey: (policy) => selectorKey(policy.spec?.endpointSelector),
    merge,
  });

/** `cilium:networkpolicy`: a CiliumNetworkPolicy denying the event's remote IP to the pod's workload. */
export const ciliumNetworkPolicy: ActionnerImplementation<CiliumNetworkPolicyParams> = {
  spec: ciliumNetworkPolicySpec,
  // The reference skipped the remote-IP check here and wrote an invalid `/32` without an IP.
  checks: ({ event }, deps) => checkPodAndRemoteIp(event, deps),
  run: ({ event, parameters }, deps) =>
    denyRemoteIp(event, deps, ciliumPolicies, (workload, namespace, deny) => desiredPolicy(workload, namespace, deny, parameters)),
  snapshot: ({ event }, deps) => snapshotPolicy('cilium:networkpolicy', ciliumPolicies, event, deps),
  undo: (change, deps) => undoPolicy('cilium:networkpolicy', ciliumPolicies, change, deps),
};

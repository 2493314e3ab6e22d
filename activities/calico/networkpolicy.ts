import { z } from 'zod';
import { checkPodAndRemoteIp, customPolicies, denyRemoteIp, policySchema, union } from '../kubernetes/custom-policy.ts';
import type { KubeApis } from '../kubernetes/client.ts';
import { MANAGED_BY, snapshotPolicy, undoPolicy } from '../kubernetes/managed-policy.ts';
import type { Workload } from '../kubernetes/workload-selector.ts';
import type { ActionnerImplementation } from '../types.ts';
import { calicoNetworkPolicySpec, type CalicoNetworkPolicyParams } from './networkpolicy.spec.ts';

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

const rule = z
  .object({
    action: z.string(),
    destination: z
      .object({ nets: z.array(z.string()).optional(), namespaceSelector: z.string().optional() })
      .loose()
      .optional(),
  })
  .loose();
const spec = z
  .object({ selector: z.string().optional(), order: z.number().optional(), types: z.array(z.string()).optional(), egress: z.array(rule).optional() })
  .loose();
const calicoPolicy = policySchema(spec);
type CalicoPolicy = z.infer<typeof calicoPolicy>;
type CalicoRule = z.infer<typeof rule>;

const quoted = (value: string) => `'${value}'`;
const set = (values: readonly string[]) => `{${values.map(quoted).join(', ')}}`;

/** The workload's selector in Calico's selector language: `app == 'web' && tier in {'a', 'b'}`. */
export function calicoSelector(workload: Workload): string {
  const labels = Object.entries(workload.matchLabels).map(([key, value]) => `${key} == ${quoted(value)}`);
  const expressions = workload.matchExpressions.map((e) => {
    if (e.operator === 'In') return `${e.key} in ${set(e.values ?? [])}`;
    if (e.operator === 'NotIn') return `${e.key} not in ${set(e.values ?? [])}`;
    if (e.operator === 'Exists') return `has(${e.key})`;
    return `!has(${e.key})`;
  });
  return [...labels, ...expressions].join(' && ');
}

/**
 * Deny the remote IP, then allow the allow lists (none: everywhere, IPv4 and IPv6). Calico applies
 * a policy's rules in order, so the Deny wins over a broader Allow.
 */
function desiredPolicy(workload: Workload, namespace: string, deny: string, parameters: CalicoNetworkPolicyParams): CalicoPolicy {
  const allow: CalicoRule[] = [];
  if (parameters.allow_cidr.length > 0) allow.push({ action: 'Allow', destination: { nets: [...new Set(parameters.allow_cidr)] } });
  if (parameters.allow_namespaces.length > 0) {
    allow.push({ action: 'Allow', destination: { namespaceSelector: `${NAMESPACE_LABEL} in ${set([...new Set(parameters.allow_namespaces)])}` } });
  }
  if (allow.length === 0) allow.push({ action: 'Allow', destination: { nets: ['0.0.0.0/0', '::/0'] } });
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: workload.name, namespace, labels: { ...workload.matchLabels, [MANAGED_BY.key]: MANAGED_BY.value } },
    spec: {
      selector: calicoSelector(workload),
      ...(parameters.order === undefined ? {} : { order: parameters.order }),
      types: ['Egress'],
      egress: [{ action: 'Deny', destination: { nets: [deny] } }, ...allow],
    },
  };
}

const deniedNets = (policy: CalicoPolicy) => policy.spec?.egress?.filter((r) => r.action === 'Deny').flatMap((r) => r.destination?.nets ?? []);

/** An existing policy keeps the IPs it denied already (as the reference does), each once. */
function merge(existing: CalicoPolicy, desired: CalicoPolicy): CalicoPolicy {
  const nets = union(deniedNets(existing), deniedNets(desired));
  const allow = desired.spec?.egress?.filter((r) => r.action !== 'Deny') ?? [];
  return { ...desired, spec: { ...desired.spec, egress: [{ action: 'Deny', destination: { nets } }, ...allow] } };
}

/** Calico's namespaced NetworkPolicies (projectcalico.org/v3), selected by their Calico selector. */
const calicoPolicies = (apis: KubeApis) =>
  customPolicies(apis, { group: 'projectcalico.org', version: 'v3', plural: 'networkpolicies', noun: 'caliconetworkpolicy' }, calicoPolicy, {
    selectorField: 'selector',
    selector: (policy) => policy.spec?.selector,
    selectorKey: (policy) => policy.spec?.selector ?? '',
    merge,
  });

/** `calico:networkpolicy`: a Calico NetworkPolicy denying the event's remote IP to the pod's workload. */
export const calicoNetworkPolicy: ActionnerImplementation<CalicoNetworkPolicyParams> = {
  spec: calicoNetworkPolicySpec,
  checks: ({ event }, deps) => checkPodAndRemoteIp(event, deps),
  run: ({ event, parameters }, deps) =>
    denyRemoteIp(event, deps, calicoPolicies, (workload, namespace, deny) => desiredPolicy(workload, namespace, deny, parameters)),
  snapshot: ({ event }, deps) => snapshotPolicy('calico:networkpolicy', calicoPolicies, event, deps),
  undo: (change, deps) => undoPolicy('calico:networkpolicy', calicoPolicies, change, deps),
};

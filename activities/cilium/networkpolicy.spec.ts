import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { allowCidr, allowNamespaces, workloadReadRules } from '../kubernetes/network-params.ts';

const params = z
  .object({
    allow_cidr: allowCidr,
    allow_namespaces: allowNamespaces,
  })
  .strict();

export type CiliumNetworkPolicyParams = z.infer<typeof params>;

/** `cilium:networkpolicy`: denies the remote IP to the pod's workload with a CiliumNetworkPolicy. */
export const ciliumNetworkPolicySpec: ActionnerSpec<CiliumNetworkPolicyParams> = {
  name: 'cilium:networkpolicy',
  category: 'cilium',
  description:
    "Deny the event's remote IP to the pod's workload with a CiliumNetworkPolicy (cilium.io/v2), allowing the rest of the egress to allowed CIDRs and namespaces (none: everywhere)",
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Idempotent: the remote IP is denied once; a conditional update converges under retries and concurrent alerts.',
  undo: 'Deletes the CiliumNetworkPolicy it created, or puts back the labels, annotations and rules of the one it updated; a policy no longer labeled as managed by falco-talon is left alone.',
  // delete: undoing a policy the action created (`expire_after:`).
  permissions: {
    kubernetes: [...workloadReadRules, { apiGroups: ['cilium.io'], resources: ['ciliumnetworkpolicies'], verbs: ['get', 'create', 'update', 'delete'] }],
  },
  timeout: '30s',
  example: `- action: Block the remote IP (Cilium)
  actionner: cilium:networkpolicy
  parameters:
    allow_cidr:
      - 10.0.0.0/8
    allow_namespaces:
      - kube-system
`,
};

import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { allowCidr, allowNamespaces, workloadReadRules } from '../kubernetes/network-params.ts';

const params = z
  .object({
    allow_cidr: allowCidr,
    allow_namespaces: allowNamespaces,
    order: z.number().optional().describe("Calico's policy `order` (lower applies first); unset, Calico's default."),
  })
  .strict();

export type CalicoNetworkPolicyParams = z.infer<typeof params>;

/** `calico:networkpolicy`: denies the remote IP to the pod's workload with a Calico NetworkPolicy. */
export const calicoNetworkPolicySpec: ActionnerSpec<CalicoNetworkPolicyParams> = {
  name: 'calico:networkpolicy',
  category: 'calico',
  description:
    "Deny the event's remote IP to the pod's workload with a Calico NetworkPolicy (projectcalico.org/v3), allowing the rest of the egress to allowed CIDRs and namespaces (none: everywhere)",
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Idempotent: the remote IP is denied once; a conditional update converges under retries and concurrent alerts.',
  undo: 'Deletes the Calico NetworkPolicy it created, or puts back the labels, annotations and rules of the one it updated; a policy no longer labeled as managed by falco-talon is left alone.',
  // delete: undoing a policy the action created (`expire_after:`).
  permissions: {
    kubernetes: [...workloadReadRules, { apiGroups: ['projectcalico.org'], resources: ['networkpolicies'], verbs: ['get', 'create', 'update', 'delete'] }],
  },
  timeout: '30s',
  example: `- action: Block the remote IP (Calico)
  actionner: calico:networkpolicy
  parameters:
    order: 10
    allow_cidr:
      - 10.0.0.0/8
    allow_namespaces:
      - kube-system
`,
};

import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { allowCidr, allowNamespaces, workloadReadRules } from './network-params.ts';

const params = z
  .object({
    allow_cidr: allowCidr,
    allow_namespaces: allowNamespaces,
  })
  .strict();

export type NetworkPolicyParams = z.infer<typeof params>;

/** `kubernetes:networkpolicy`: restricts the egress of the pod's workload with a native NetworkPolicy. */
export const networkPolicySpec: ActionnerSpec<NetworkPolicyParams> = {
  name: 'kubernetes:networkpolicy',
  category: 'kubernetes',
  description: "Restrict the egress of the pod's workload to allowed CIDRs and namespaces (none: deny all egress)",
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Idempotent: a conditional replace converges on the same NetworkPolicy; nothing is created twice.',
  undo: 'Deletes the NetworkPolicy it created, or puts back the labels, annotations and rules of the one it updated; a policy no longer labeled as managed by falco-talon is left alone.',
  // delete: undoing a policy the action created (`expire_after:`).
  permissions: {
    kubernetes: [...workloadReadRules, { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'update', 'delete'] }],
  },
  timeout: '30s',
  example: `- action: Isolate the workload
  actionner: kubernetes:networkpolicy
  parameters:
    allow_cidr:
      - 192.168.1.0/24
      - fd00:10::/64
    allow_namespaces:
      - kube-system
`,
};

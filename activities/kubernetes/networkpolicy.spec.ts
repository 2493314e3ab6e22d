import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { canonicalCidr } from './cidr.ts';

const cidr = z
  .string()
  .refine((text) => canonicalCidr(text) !== undefined, { error: (issue) => `wrong CIDR '${String(issue.input)}'` })
  .overwrite((text) => canonicalCidr(text) ?? text);
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: (issue) => `wrong namespace '${String(issue.input)}'` });

const params = z
  .object({
    allow_cidr: z.array(cidr).default([]).describe('IPv4/IPv6 CIDRs the workload may still reach.'),
    allow_namespaces: z.array(namespaceName).default([]).describe('Namespaces whose pods the workload may still reach.'),
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
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'daemonsets', 'statefulsets'], verbs: ['get'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'update'] },
    ],
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

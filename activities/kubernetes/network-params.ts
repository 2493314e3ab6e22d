import { z } from 'zod';
import { canonicalCidr } from './cidr.ts';

// The allow lists shared by kubernetes:networkpolicy, calico:networkpolicy and cilium:networkpolicy.

const cidr = z
  .string()
  .refine((text) => canonicalCidr(text) !== undefined, { error: (issue) => `wrong CIDR '${String(issue.input)}'` })
  .overwrite((text) => canonicalCidr(text) ?? text);
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: (issue) => `wrong namespace '${String(issue.input)}'` });

export const allowCidr = z.array(cidr).default([]).describe('IPv4/IPv6 CIDRs the workload may still reach.');
export const allowNamespaces = z.array(namespaceName).default([]).describe('Namespaces whose pods the workload may still reach.');

/** What finding the event's pod and its workload reads (workload-selector.ts), for the three specs. */
export const workloadReadRules = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['replicasets', 'daemonsets', 'statefulsets'], verbs: ['get'] },
] as const;

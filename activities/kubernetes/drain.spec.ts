import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { cordonRules } from './cordon.spec.ts';
import { minHealthyReplicasParam, replicaOwnerRules } from './replicas-params.ts';

const params = z
  .object({
    ignore_daemonsets: z.boolean().default(true).describe('Leave DaemonSet pods alone: their controller recreates them on the node anyway.'),
    ignore_statefulsets: z.boolean().default(false).describe('Leave StatefulSet pods alone.'),
    ignore_errors: z.boolean().default(false).describe('Report success even when some pods could not be evicted.'),
    min_healthy_replicas: minHealthyReplicasParam.describe("`N` or `N%` of each owner's desired replicas that must stay healthy."),
    max_wait_period: z.number().int().min(0).default(0).describe('Seconds to wait for the evicted pods to be gone; 0 does not wait.'),
    wait_period_excluded_namespaces: z.array(z.string()).default([]).describe('Namespaces whose evicted pods are not waited for.'),
  })
  .strict();

export type DrainParams = z.output<typeof params>;

/**
 * `kubernetes:drain`: cordons the node of the event's pod, then evicts its pods (Eviction API, so
 * PodDisruptionBudgets apply). Unlike the reference (§11.7) it cordons first, skips mirror pods and,
 * by default, DaemonSet pods, and computes `min_healthy_replicas` percentages on desired replicas.
 * A retry whose pod the previous attempt evicted drains the node of the event's hostname (cordonTarget).
 */
export const kubernetesDrainSpec: ActionnerSpec<DrainParams> = {
  name: 'kubernetes:drain',
  category: 'kubernetes',
  description: 'Cordon the node of the pod and evict its pods',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  rerun:
    "Resumes: pods already evicted or terminating are not evicted again; once the event's pod is gone, the node is the one named by the event's `hostname`.",
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      ...cordonRules,
      ...replicaOwnerRules,
    ],
  },
  // Room for max_wait_period; a rule waiting longer sets its own `timeout`.
  timeout: '10m',
  // Captures, commands and drains can run for minutes: their own slots.
  lane: 'kubernetes-long',
  example: `- action: Drain the node
  actionner: kubernetes:drain
  parameters:
    ignore_daemonsets: true
    ignore_statefulsets: true
    min_healthy_replicas: 50%
    max_wait_period: 90
`,
};

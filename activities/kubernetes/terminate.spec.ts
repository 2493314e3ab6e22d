import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { minHealthyReplicasParam, replicaOwnerRules } from './replicas-params.ts';

const params = z
  .object({
    grace_period_seconds: z.number().int().min(0).default(0).describe("Passed to DELETE; 0 removes the pod from the API at once (the reference's default)."),
    ignore_daemonsets: z.boolean().default(false).describe('Skip pods owned by a DaemonSet.'),
    ignore_statefulsets: z.boolean().default(false).describe('Skip pods owned by a StatefulSet.'),
    ignore_standalone_pods: z.boolean().default(false).describe('Skip pods without an owner.'),
    min_healthy_replicas: minHealthyReplicasParam.describe("`N` or `N%` of the owner's desired replicas that must stay healthy."),
  })
  .strict();

export type TerminateParams = z.output<typeof params>;

/**
 * `kubernetes:terminate`: deletes the event's pod unless its owner or `min_healthy_replicas` says to
 * leave it; then the status is `ignored` with the reason, not `success` (reference §11.7).
 */
export const kubernetesTerminateSpec: ActionnerSpec<TerminateParams> = {
  name: 'kubernetes:terminate',
  category: 'kubernetes',
  description: 'Terminate the pod',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: false,
  usesContext: false,
  rerun:
    'Safe: a pod already gone, or being deleted, is reported `was already terminated`; a replacement created after the alert is never deleted (UID precondition).',
  permissions: {
    kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }, ...replicaOwnerRules],
  },
  timeout: '1m',
  example: `- action: Terminate the pod
  actionner: kubernetes:terminate
  parameters:
    grace_period_seconds: 5
    ignore_daemonsets: true
    ignore_statefulsets: true
    min_healthy_replicas: 33%
`,
};

import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z.object({}).strict();

export type CordonParams = z.output<typeof params>;

/** RBAC for cordoning a node (kubernetes:cordon, kubernetes:drain). */
export const cordonRules = [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }] as const;

/** `kubernetes:cordon`: marks the node of the event's pod unschedulable. */
export const kubernetesCordonSpec: ActionnerSpec<CordonParams> = {
  name: 'kubernetes:cordon',
  category: 'kubernetes',
  description: 'Cordon the node of the pod',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  rerun: 'Idempotent: the node is cordoned once more, harmlessly.',
  permissions: { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, ...cordonRules] },
  timeout: '30s',
  example: `- action: Cordon the node
  actionner: kubernetes:cordon
`,
};

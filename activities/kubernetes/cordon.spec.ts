import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z.object({}).strict();

export type CordonParams = z.output<typeof params>;

/** RBAC for cordoning a node (kubernetes:drain; kubernetes:cordon also reads it, see below). */
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
  undo: 'Uncordons the node, unless it was cordoned before the action or has been uncordoned since.',
  // nodes/get reads the before-state of a time-boxed (`expire_after:`) cordon; drain needs only patch.
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
    ],
  },
  timeout: '30s',
  example: `- action: Cordon the node
  actionner: kubernetes:cordon
`,
};

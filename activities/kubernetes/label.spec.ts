import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { atLeastOneMessage, isLabelValue, level, metadataActionner, metadataMap, type MetadataKind } from './metadata-params.ts';

export const labelKind: MetadataKind = { field: 'labels', done: 'labeled' };

const params = z
  .object({
    labels: metadataMap('label', isLabelValue).describe('Labels to set; an empty or null value removes the label. At least one.'),
    level,
  })
  .strict()
  .refine((p) => Object.keys(p.labels).length > 0, { message: atLeastOneMessage(labelKind) });

export type LabelParams = z.infer<typeof params>;

/** `kubernetes:label`: adds, replaces or removes labels on the event's pod or on its node. */
export const labelSpec: ActionnerSpec<LabelParams> = {
  name: 'kubernetes:label',
  description: "Add, replace or remove labels of the pod or of the pod's node",
  ...metadataActionner,
  params,
  rerun: 'Idempotent: the same merge patch sets the same labels again.',
  undo: 'Restores each label it set to its previous value (removes it if it had none), unless someone changed it since.',
  example: `- action: Quarantine the pod
  actionner: kubernetes:label
  parameters:
    level: pod
    labels:
      falco.org/quarantine: "true"
      falco.org/reviewed: ""   # an empty value removes the label
`,
};

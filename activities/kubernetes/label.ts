import { z } from 'zod';
import type { ActionnerDescriptor } from '../types.ts';
import { atLeastOneMessage, metadataActionner, isLabelValue, level, metadataMap, patchMetadata, type MetadataKind } from './metadata-patch.ts';

const kind: MetadataKind = { field: 'labels', done: 'labeled' };

const params = z
  .object({
    /** Labels to set; an empty or null value removes the label. At least one. */
    labels: metadataMap('label', isLabelValue),
    level,
  })
  .strict()
  .refine((p) => Object.keys(p.labels).length > 0, { message: atLeastOneMessage(kind) });

export type LabelParams = z.infer<typeof params>;

/** `kubernetes:label`: adds, replaces or removes labels on the event's pod or on its node. */
export const label: ActionnerDescriptor<LabelParams> = {
  name: 'kubernetes:label',
  description: "Add, replace or remove labels of the pod or of the pod's node",
  ...metadataActionner,
  params,
  example: `- action: Quarantine the pod
  actionner: kubernetes:label
  parameters:
    level: pod
    labels:
      falco.org/quarantine: "true"
      falco.org/reviewed: ""   # an empty value removes the label
`,
  run(input, deps) {
    return patchMetadata(kind, input.parameters.labels, input.parameters.level, input, deps);
  },
};

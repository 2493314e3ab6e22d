import { z } from 'zod';
import type { ActionnerDescriptor } from '../types.ts';
import { atLeastOneMessage, metadataActionner, level, metadataMap, patchMetadata, type MetadataKind } from './metadata-patch.ts';

// The reference writes "annotationed" for nodes; both levels say "annotated" here.
const kind: MetadataKind = { field: 'annotations', done: 'annotated' };

const params = z
  .object({
    /** Annotations to set; an empty or null value removes the annotation. At least one. */
    annotations: metadataMap('annotation'),
    level,
  })
  .strict()
  .refine((p) => Object.keys(p.annotations).length > 0, { message: atLeastOneMessage(kind) });

export type AnnotationParams = z.infer<typeof params>;

/** `kubernetes:annotation`: adds, replaces or removes annotations on the event's pod or on its node. */
export const annotation: ActionnerDescriptor<AnnotationParams> = {
  name: 'kubernetes:annotation',
  description: "Add, replace or remove annotations of the pod or of the pod's node",
  ...metadataActionner,
  params,
  example: `- action: Mark the pod
  actionner: kubernetes:annotation
  parameters:
    level: pod
    annotations:
      falco.org/last-alert: "Terminal shell in container"
      falco.org/reviewed: ""   # an empty value removes the annotation
`,
  run(input, deps) {
    return patchMetadata(kind, input.parameters.annotations, input.parameters.level, input, deps);
  },
};

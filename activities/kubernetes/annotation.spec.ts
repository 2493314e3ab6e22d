import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';
import { atLeastOneMessage, level, metadataActionner, metadataMap, type MetadataKind } from './metadata-params.ts';

// The reference writes "annotationed" for nodes; both levels say "annotated" here.
export const annotationKind: MetadataKind = { field: 'annotations', done: 'annotated' };

const params = z
  .object({
    annotations: metadataMap('annotation').describe('Annotations to set; an empty or null value removes the annotation. At least one.'),
    level,
  })
  .strict()
  .refine((p) => Object.keys(p.annotations).length > 0, { message: atLeastOneMessage(annotationKind) });

export type AnnotationParams = z.infer<typeof params>;

/** `kubernetes:annotation`: adds, replaces or removes annotations on the event's pod or on its node. */
export const annotationSpec: ActionnerSpec<AnnotationParams> = {
  name: 'kubernetes:annotation',
  description: "Add, replace or remove annotations of the pod or of the pod's node",
  ...metadataActionner,
  params,
  rerun: 'Idempotent: the same merge patch sets the same annotations again.',
  undo: 'Restores each annotation it set to its previous value (removes it if it had none), unless someone changed it since.',
  example: `- action: Mark the pod
  actionner: kubernetes:annotation
  parameters:
    level: pod
    annotations:
      falco.org/last-alert: "Terminal shell in container"
      falco.org/reviewed: ""   # an empty value removes the annotation
`,
};

import type { ActionnerImplementation } from '../types.ts';
import { annotationKind, annotationSpec, type AnnotationParams } from './annotation.spec.ts';
import { patchMetadata, snapshotMetadata, undoMetadata } from './metadata-patch.ts';

/** `kubernetes:annotation`: one merge-patch of the pod's (or its node's) annotations. */
export const annotation: ActionnerImplementation<AnnotationParams> = {
  spec: annotationSpec,
  run(input, deps) {
    return patchMetadata(annotationKind, input.parameters.annotations, input.parameters.level, input, deps);
  },
  snapshot(input, deps) {
    return snapshotMetadata(annotationKind, input.parameters.annotations, input.parameters.level, input, deps);
  },
  undo(change, deps) {
    return undoMetadata(annotationKind, change, deps);
  },
};

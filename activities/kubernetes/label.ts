import type { ActionnerImplementation } from '../types.ts';
import { labelKind, labelSpec, type LabelParams } from './label.spec.ts';
import { patchMetadata, snapshotMetadata, undoMetadata } from './metadata-patch.ts';

/** `kubernetes:label`: one merge-patch of the pod's (or its node's) labels. */
export const label: ActionnerImplementation<LabelParams> = {
  spec: labelSpec,
  run(input, deps) {
    return patchMetadata(labelKind, input.parameters.labels, input.parameters.level, input, deps);
  },
  snapshot(input, deps) {
    return snapshotMetadata(labelKind, input.parameters.labels, input.parameters.level, input, deps);
  },
  undo(change, deps) {
    return undoMetadata(labelKind, change, deps);
  },
};

import type { Json, Objects } from './event.ts';

// Time-boxed containment (`expire_after:`): what an undoable action changed, read before it ran,
// and what the containment workflow holds and undoes. Types only: workflow code imports them.

/** Where a metadata change went: the event's pod, or its node (`level: node`). */
export type MetadataTarget = { readonly node: string } | { readonly namespace: string; readonly pod: string };

/**
 * The before-state of what an undoable action is about to change, read by `talon:snapshot` before
 * the action runs (so a retried action cannot mistake its own earlier write for the previous state).
 */
export type Change =
  | {
      readonly kind: 'metadata';
      readonly field: 'labels' | 'annotations';
      readonly target: MetadataTarget;
      /** What the action writes: a value, or null for a key it removes. */
      readonly applied: Readonly<Record<string, string | null>>;
      /** Each of those keys before: its value, or null when absent. */
      readonly previous: Readonly<Record<string, string | null>>;
    }
  | { readonly kind: 'cordon'; readonly node: string; readonly wasUnschedulable: boolean }
  | {
      readonly kind: 'policy';
      readonly actionner: 'kubernetes:networkpolicy' | 'calico:networkpolicy' | 'cilium:networkpolicy';
      readonly namespace: string;
      readonly name: string;
      /** The policy before (labels, annotations, spec), or null when the action creates it. */
      readonly previous: Json | null;
    };

/** What `talon:undo` did: its text for notifications, and the objects it touched. */
export interface UndoResult {
  readonly result: string;
  readonly objects: Objects;
  /** Keys or objects left alone because someone changed them after the action (never clobbered). */
  readonly skipped?: readonly string[];
}

/** Activity names of the containment steps (registered in the lanes of undoable actionners). */
export const SNAPSHOT_ACTIVITY = 'talon:snapshot';
export const UNDO_ACTIVITY = 'talon:undo';

import type { z } from 'zod';

/**
 * What rule validation needs to know about actionners, outputs and notifiers (stage B). The
 * registry in `activities/` provides it; the rules module never imports activities' code.
 */
export interface RuleCatalog {
  actionner(
    name: string,
  ):
    | { readonly params: z.ZodType; readonly needsOutput: boolean; readonly allowsOutput: boolean; readonly undo?: string; readonly timeout?: string }
    | undefined;
  /** The actionners `expire_after:` works with (they can undo), for the error message. */
  undoable?(): readonly string[];
  output(name: string): { readonly params: z.ZodType } | undefined;
  /** Whether a notifier of this name exists. */
  hasNotifier(name: string): boolean;
  /** Whether an additional-context source of this name exists (`k8snode`). */
  hasContext(name: string): boolean;
}

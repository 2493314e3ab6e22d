import { permanent } from './errors.ts';
import type { ActionInput, Deps, Permissions, TalonContext } from './types.ts';

/** A source of `additional_contexts` (reference §5.3): `aws`, `k8snode`… */
export type ContextSource = (input: ActionInput<unknown>, deps: Deps) => Promise<TalonContext>;

/** Context sources by name; the Kubernetes and cloud modules add theirs here. */
export const contextSources: Record<string, ContextSource> = {};

/** What each context source needs, for `talon rbac` (an action using `k8snode` needs nodes get). */
export const contextPermissions: Record<string, Permissions> = {};

/**
 * Fetches each requested context and merges it into the Talon context. Unlike the reference, an
 * unknown or failing source fails the action instead of letting it run with missing values.
 */
export async function withAdditionalContexts(sources: readonly string[], input: ActionInput<unknown>, deps: Deps): Promise<TalonContext> {
  let context = input.context;
  for (const name of sources) {
    const source = contextSources[name];
    if (!source) throw permanent('UnknownContext', `unknown context '${name}'`);
    context = { ...context, ...(await source(input, deps)) };
  }
  return context;
}

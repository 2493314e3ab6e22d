import { contextImplementations } from './implementations.ts';
import { permanent } from './errors.ts';
import type { ActionInput, Deps } from './types.ts';
import type { TalonContext } from '../src/contract/index.ts';

/**
 * Fetches each requested context and merges it into the Talon context. Unlike the reference, an
 * unknown or failing source fails the action instead of letting it run with missing values.
 */
export async function withAdditionalContexts(sources: readonly string[], input: ActionInput<unknown>, deps: Deps): Promise<TalonContext> {
  let context = input.context;
  for (const name of sources) {
    const load = contextImplementations[name];
    if (!load) throw permanent('UnknownContext', `unknown context '${name}'`);
    context = { ...context, ...(await (await load()).fetch(input, deps)) };
  }
  return context;
}

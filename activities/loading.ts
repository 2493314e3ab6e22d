import { z } from 'zod';
import type { ActionActivityInput, ActionnerSpec } from '../src/contract/index.ts';
import { permanent } from './errors.ts';

// What the activity wrappers (index.ts, containment.ts) share to reach an implementation.

/** The action's parameters through its spec's schema; bad ones fail permanently. */
export function parseParameters(spec: ActionnerSpec, raw: unknown): unknown {
  const parsed = spec.params.safeParse(raw);
  if (!parsed.success) throw permanent('InvalidParameters', z.prettifyError(parsed.error).replaceAll('\n', '; '));
  return parsed.data;
}

/** Loads an implementation on first use and keeps it for the worker's life. */
export function lazy<T>(load: (() => Promise<T>) | undefined, name: string): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (!load) return Promise.reject(permanent('NotImplemented', `'${name}' has no implementation`));
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

/** What an implementation's run (or snapshot) receives: the activity input with parsed parameters. */
export function actionInputOf(input: ActionActivityInput, parameters: unknown, attempt: number) {
  return { event: input.event, context: input.context, parameters, rule: input.rule, action: input.action, idempotencyKey: input.idempotencyKey, attempt };
}

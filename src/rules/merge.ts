import { RuleError } from './errors.ts';
import { describeMismatch, mergeParams } from './params-merge.ts';
import type { Located, RawAction, RawOutput, RawRule } from './raw.ts';
import type { RetrySpec } from './types.ts';

/*
 * Folding of same-name items (reference §2.2); inheritance (§2.3) is in inherit.ts.
 * Items of all files are concatenated and every later item is folded into the FIRST item of the
 * same name, which keeps its position. Otherwise as the reference, with these quirks FIXED:
 *
 * 1. A later action definition's parameter key that the earlier one lacks is taken as written;
 *    a list is no longer double-wrapped (`[["ns1"]]`).
 * 2. A later same-name rule that omits `match.priority` / `match.source` keeps the earlier ones
 *    (the reference erased them); writing the key (even empty) still replaces.
 * 3. Inheritance: when a parameter (or output parameter) is a map on both the definition and the
 *    rule entry, the maps merge with the RULE ENTRY winning on key conflicts (the reference let the
 *    definition win).
 * 4. A parameter whose kind (scalar / list / map) differs between two same-name definitions keeps
 *    the earlier value, as the reference does, and is a warning naming both places (the reference
 *    dropped the later value silently). Between a definition and a rule entry: inherit.ts.
 * 5. Inheriting list or map output parameters into an entry without `output.parameters` works (the
 *    reference crashed on a nil map).
 * 6. A top-level parameter set to `null` is "not set" everywhere (the reference skipped it in some
 *    merge paths only).
 */

export function foldRetry(base?: Located<RetrySpec>, over?: Located<RetrySpec>): Located<RetrySpec> | undefined {
  if (base === undefined || over === undefined) return over ?? base;
  return { value: { ...base.value, ...over.value }, pos: over.pos };
}

function foldOutput(earlier: RawOutput | undefined, later: RawOutput | undefined, onError: (e: RuleError) => void, action: string): RawOutput | undefined {
  if (earlier === undefined || later === undefined) return earlier ?? later;
  const parameters = mergeParams(earlier.parameters, later.parameters, (key, base, over) =>
    onError(
      new RuleError({
        ...over.pos,
        action,
        severity: 'warning',
        reason: `${describeMismatch('output parameter', key, base, over)}; this later value is ignored`,
      }),
    ),
  );
  // The reference keeps the earlier target and lets a later one fill an empty one only.
  const target = earlier.target ?? later.target;
  return target === undefined ? { parameters, pos: earlier.pos } : { target, parameters, pos: earlier.pos };
}

function foldAction(earlier: RawAction, later: RawAction, onError: (e: RuleError) => void): RawAction {
  const action = earlier.name ?? '';
  const parameters = mergeParams(earlier.parameters, later.parameters, (key, base, over) =>
    onError(
      new RuleError({ ...over.pos, action, severity: 'warning', reason: `${describeMismatch('parameter', key, base, over)}; this later value is ignored` }),
    ),
  );
  const folded: { -readonly [K in keyof RawAction]: RawAction[K] } = {
    ...earlier,
    additionalContexts: [...earlier.additionalContexts, ...later.additionalContexts],
    parameters,
  };
  if (later.description !== undefined) folded.description = later.description;
  if (later.actionner !== undefined) folded.actionner = later.actionner;
  if (later.continue !== undefined) folded.continue = later.continue;
  if (later.ignoreErrors !== undefined) folded.ignoreErrors = later.ignoreErrors;
  if (later.timeout !== undefined) folded.timeout = later.timeout;
  if (later.approval !== undefined) folded.approval = later.approval;
  if (later.expireAfter !== undefined) folded.expireAfter = later.expireAfter;
  if (later.local !== undefined) folded.local = later.local;
  const output = foldOutput(earlier.output, later.output, onError, action);
  if (output !== undefined) folded.output = output;
  const retry = foldRetry(earlier.retry, later.retry);
  if (retry !== undefined) folded.retry = retry;
  return folded;
}

function foldRule(earlier: RawRule, later: RawRule): RawRule {
  const priority = later.match.priority ?? earlier.match.priority;
  const source = later.match.source ?? earlier.match.source;
  const match = {
    rules: [...earlier.match.rules, ...later.match.rules],
    tags: [...earlier.match.tags, ...later.match.tags],
    outputFields: [...earlier.match.outputFields, ...later.match.outputFields],
    ...(priority === undefined ? {} : { priority }),
    ...(source === undefined ? {} : { source }),
  };
  const folded: { -readonly [K in keyof RawRule]: RawRule[K] } = {
    ...earlier,
    match,
    actions: [...earlier.actions, ...later.actions],
    notifiers: [...earlier.notifiers, ...later.notifiers],
  };
  if (later.description !== undefined) folded.description = later.description;
  if (later.continue !== undefined) folded.continue = later.continue;
  if (later.dryRun !== undefined) folded.dryRun = later.dryRun;
  if (later.approval !== undefined) folded.approval = later.approval;
  return folded;
}

/** Generic fold: later same-key items into the first, keeping first-occurrence order. */
function foldBy<T>(items: readonly T[], key: (item: T) => string, fold: (earlier: T, later: T) => T): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const earlier = byKey.get(key(item));
    byKey.set(key(item), earlier === undefined ? item : fold(earlier, item));
  }
  return [...byKey.values()];
}

/** Action definitions folded by `action:` name. */
export function foldDefinitions(definitions: readonly RawAction[], onError: (e: RuleError) => void): RawAction[] {
  return foldBy(
    definitions,
    (d) => d.name ?? '',
    (a, b) => foldAction(a, b, onError),
  );
}

/** Rules folded by `rule:` name. */
export function foldRules(rules: readonly RawRule[]): RawRule[] {
  return foldBy(rules, (r) => r.name, foldRule);
}

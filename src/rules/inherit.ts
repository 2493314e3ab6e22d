import { RuleError } from './errors.ts';
import { foldRetry } from './merge.ts';
import { describeMismatch, mergeParams } from './params-merge.ts';
import type { Pos, RawAction, RawOutput, RawRule } from './raw.ts';

/**
 * Rule action entry ← action definition of the same name (reference §2.3, quirks fixed as listed
 * in merge.ts). The entry wins on every single value; the definition fills what the entry lacks. A
 * parameter whose kind differs between the two keeps the entry's value, as the reference does, with a
 * warning (the reference logged it).
 */

type Report = (error: RuleError) => void;

function inheritOutput(entry: RawOutput | undefined, definition: RawOutput | undefined, report: (reason: string, pos: Pos) => void): RawOutput | undefined {
  if (entry === undefined || definition === undefined) return entry ?? definition;
  const parameters = mergeParams(
    definition.parameters,
    entry.parameters,
    (key, base, over) => report(describeMismatch('output parameter', key, base, over), over.pos),
    'over',
  );
  const target = entry.target ?? definition.target;
  return target === undefined ? { parameters, pos: entry.pos } : { target, parameters, pos: entry.pos };
}

export function inheritAction(entry: RawAction, definition: RawAction, rule: string, onError: Report): RawAction {
  const action = entry.name ?? '';
  const report = (reason: string, pos: Pos): void =>
    onError(new RuleError({ ...pos, rule, action, severity: 'warning', reason: `${reason}; the definition's value is ignored` }));
  const parameters = mergeParams(
    definition.parameters,
    entry.parameters,
    (key, base, over) => report(describeMismatch('parameter', key, base, over), over.pos),
    'over',
  );
  const merged: { -readonly [K in keyof RawAction]: RawAction[K] } = {
    ...entry,
    additionalContexts: entry.additionalContexts.length > 0 ? entry.additionalContexts : definition.additionalContexts,
    parameters,
  };
  const description = entry.description ?? definition.description;
  if (description !== undefined) merged.description = description;
  const actionner = entry.actionner ?? definition.actionner;
  if (actionner !== undefined) merged.actionner = actionner;
  const continues = entry.continue ?? definition.continue;
  if (continues !== undefined) merged.continue = continues;
  const ignoreErrors = entry.ignoreErrors ?? definition.ignoreErrors;
  if (ignoreErrors !== undefined) merged.ignoreErrors = ignoreErrors;
  const timeout = entry.timeout ?? definition.timeout;
  if (timeout !== undefined) merged.timeout = timeout;
  const approval = entry.approval ?? definition.approval;
  if (approval !== undefined) merged.approval = approval;
  const expireAfter = entry.expireAfter ?? definition.expireAfter;
  if (expireAfter !== undefined) merged.expireAfter = expireAfter;
  const local = entry.local ?? definition.local;
  if (local !== undefined) merged.local = local;
  const output = inheritOutput(entry.output, definition.output, report);
  if (output !== undefined) merged.output = output;
  const retry = foldRetry(definition.retry, entry.retry);
  if (retry !== undefined) merged.retry = retry;
  return merged;
}

/** Every rule with each action entry completed from the definition it names, if any. */
export function inheritDefinitions(rules: readonly RawRule[], definitions: readonly RawAction[], onError: Report): RawRule[] {
  const byName = new Map(definitions.map((definition) => [definition.name ?? '', definition]));
  return rules.map((rule) => ({
    ...rule,
    actions: rule.actions.map((entry) => {
      const definition = entry.name === undefined ? undefined : byName.get(entry.name);
      return definition === undefined ? entry : inheritAction(entry, definition, rule.name, onError);
    }),
  }));
}

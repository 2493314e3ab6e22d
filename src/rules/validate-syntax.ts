import { durationMs } from '../contract/durations.ts';
import { RuleError } from './errors.ts';
import { isValidTag, parseOutputFieldsItem, splitTags } from './match-text.ts';
import { parsePriority } from './priority.ts';
import type { Pos, RawAction, RawRule } from './raw.ts';

/**
 * Stage A (reference §3.1) on merged rules: the checks that need no knowledge of actionners.
 * Boolean settings were already checked while parsing. Texts are the reference's, except that
 * output_fields keys may contain `_`, `-` and `[...]`, and spaces around `=` are allowed.
 */

/** Unanchored, as in the reference: `x:y:z` passes here and fails in stage B as unknown. */
const ACTIONNER = /[a-z]+:[a-z]+/;

function checkAction(action: RawAction, add: (pos: Pos, reason: string, action?: string) => void): void {
  const name = action.name;
  if (name === undefined) add(action.pos, 'action without a name');
  if (action.actionner === undefined) add(action.pos, 'missing actionner', name);
  else if (!ACTIONNER.test(action.actionner.value)) add(action.actionner.pos, 'incorrect actionner', name);
  if (action.output?.target !== undefined && action.output.parameters.size === 0) {
    add(action.output.pos, "missing 'parameters' for the output", name);
  }
  const retry = action.retry?.value;
  const initial = durationMs(retry?.initialInterval);
  const max = durationMs(retry?.maxInterval);
  if (action.retry !== undefined && initial !== undefined && max !== undefined && max < initial) {
    add(action.retry.pos, "'retry.max_interval' must not be shorter than 'retry.initial_interval'", name);
  }
}

function checkMatch(rule: RawRule, add: (pos: Pos, reason: string) => void): void {
  const { priority, tags, outputFields } = rule.match;
  if (priority !== undefined && parsePriority(priority.value) === undefined) {
    add(priority.pos, `incorrect priority '${priority.value}'`);
  }
  for (const item of tags) {
    for (const tag of splitTags(item.value)) if (!isValidTag(tag)) add(item.pos, `incorrect tag '${tag}'`);
  }
  for (const item of outputFields) {
    for (const piece of parseOutputFieldsItem(item.value).invalid) add(item.pos, `incorrect output field key '${piece}'`);
  }
}

/** Every stage-A problem of every rule. */
export function validateSyntax(rules: readonly RawRule[]): RuleError[] {
  const errors: RuleError[] = [];
  for (const rule of rules) {
    const add = (pos: Pos, reason: string, action?: string): void => {
      errors.push(new RuleError({ ...pos, rule: rule.name, action, reason }));
    };
    if (rule.actions.length === 0) add(rule.pos, 'no action specified');
    checkMatch(rule, add);
    for (const action of rule.actions) checkAction(action, add);
  }
  return errors;
}

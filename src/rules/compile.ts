import type { Json } from '../contract/index.ts';
import { parseOutputFieldsItem, splitTags } from './match-text.ts';
import { parsePriority } from './priority.ts';
import type { RawAction, RawMatch, RawParams, RawRule } from './raw.ts';
import type { ActionOutput } from '../contract/index.ts';
import type { ActionSpec, MatchSpec, RuleSpec } from './types.ts';

/**
 * Merged raw rules → frozen RuleSpecs (reference §2.4 for `match`). Positions other than each
 * rule's and action's origin are dropped: only validation needs them.
 */

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function paramsObject(params: RawParams): { [key: string]: Json } {
  return Object.fromEntries([...params].map(([key, param]) => [key, param.value]));
}

export function compileMatch(match: RawMatch): MatchSpec {
  const priorityText = match.priority?.value ?? '';
  return {
    rules: unique(match.rules.map((r) => r.value)),
    // An invalid priority never gets here (stage A); rank 0 keeps compilation total anyway.
    priority: parsePriority(priorityText) ?? { op: '=', rank: 0, text: priorityText },
    source: match.source?.value ?? '',
    tags: match.tags.map((item) => splitTags(item.value)),
    outputFields: match.outputFields.map((item) => parseOutputFieldsItem(item.value).conditions),
  };
}

function compileAction(action: RawAction): ActionSpec {
  const target = action.output?.target?.value;
  const output: ActionOutput | undefined = target === undefined ? undefined : { target, parameters: paramsObject(action.output?.parameters ?? new Map()) };
  const retry = action.retry?.value;
  return {
    name: action.name ?? '',
    ...(action.description === undefined ? {} : { description: action.description }),
    actionner: action.actionner?.value ?? '',
    ...(action.continue === undefined ? {} : { continue: action.continue }),
    ...(action.ignoreErrors === undefined ? {} : { ignoreErrors: action.ignoreErrors }),
    additionalContexts: unique(action.additionalContexts),
    parameters: paramsObject(action.parameters),
    ...(output === undefined ? {} : { output }),
    ...(retry === undefined || Object.keys(retry).length === 0 ? {} : { retry }),
    ...(action.timeout === undefined ? {} : { timeout: action.timeout }),
    ...(action.approval === undefined ? {} : { approval: action.approval }),
    ...(action.expireAfter === undefined ? {} : { expireAfter: action.expireAfter.value }),
    ...(action.local === undefined ? {} : { local: action.local.value }),
    origin: action.pos,
  };
}

export function compileRule(rule: RawRule): RuleSpec {
  return deepFreeze({
    name: rule.name,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    ...(rule.continue === undefined ? {} : { continue: rule.continue }),
    ...(rule.dryRun === undefined ? {} : { dryRun: rule.dryRun }),
    ...(rule.approval === undefined ? {} : { approval: rule.approval }),
    match: compileMatch(rule.match),
    actions: rule.actions.map(compileAction),
    notifiers: unique(rule.notifiers.map((n) => n.value)),
    origin: rule.pos,
  });
}

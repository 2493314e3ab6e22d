import type { FalcoEvent } from '../contract/index.ts';
import { matchesEvent } from './match.ts';
import type { RuleSpec } from './types.ts';

/** The loaded rules and how to find the ones an event matches. */
export interface RuleSet {
  readonly rules: readonly RuleSpec[];
  /** The rule files read, directories expanded, in load order. */
  readonly files: readonly string[];
  /** The matching rules, in rule order. */
  match(event: FalcoEvent): RuleSpec[];
}

/** Both lists are ascending and disjoint (a rule is either indexed or a wildcard). */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  return b.length === 0 ? [...a] : [...a, ...b].sort((x, y) => x - y);
}

/**
 * Builds the set with an index keyed by Falco rule name, so an event only tests the rules that
 * name its Falco rule plus those that name none (the wildcard list); rule order is kept.
 */
export function createRuleSet(rules: readonly RuleSpec[], files: readonly string[]): RuleSet {
  const frozenRules = Object.freeze([...rules]);
  const byFalcoRule = new Map<string, number[]>();
  const wildcard: number[] = [];
  frozenRules.forEach((rule, index) => {
    if (rule.match.rules.length === 0) wildcard.push(index);
    for (const name of new Set(rule.match.rules)) {
      const list = byFalcoRule.get(name);
      if (list === undefined) byFalcoRule.set(name, [index]);
      else list.push(index);
    }
  });
  const match = (event: FalcoEvent): RuleSpec[] => {
    const candidates = mergeAscending(byFalcoRule.get(event.rule) ?? [], wildcard);
    const matched: RuleSpec[] = [];
    for (const index of candidates) {
      const rule = frozenRules[index];
      if (rule !== undefined && matchesEvent(rule.match, event)) matched.push(rule);
    }
    return matched;
  };
  return Object.freeze({ rules: frozenRules, files: Object.freeze([...files]), match });
}

/**
 * The matched rules that run (reference §4.4): up to and including the first whose `continue`
 * is `false`; an omitted `continue` goes on.
 */
export function rulesToRun(matched: readonly RuleSpec[]): RuleSpec[] {
  const stop = matched.findIndex((rule) => rule.continue === false);
  return stop === -1 ? [...matched] : matched.slice(0, stop + 1);
}

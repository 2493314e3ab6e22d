import type { FalcoEvent, Json } from '../contract/index.ts';
import { priorityHolds } from './priority.ts';
import type { FieldCondition, MatchSpec } from './types.ts';

/**
 * Whether an event satisfies a rule's `match` (reference §4.1–4.3), with the quirks fixed:
 * tags use set semantics (duplicate event tags do not count twice) and numbers compare by value.
 */

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function stringForm(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** `8080` = `8080.0` = `8.08e3` when the event value is a JSON number; otherwise text equality. */
export function fieldValueEquals(eventValue: Json, ruleValue: string): boolean {
  if (typeof eventValue === 'number' && NUMBER.test(ruleValue)) return eventValue === Number(ruleValue);
  return stringForm(eventValue) === ruleValue;
}

function conditionHolds(condition: FieldCondition, fields: FalcoEvent['output_fields']): boolean {
  const present = Object.hasOwn(fields, condition.key);
  const equal = present && fieldValueEquals(fields[condition.key] ?? null, condition.value);
  return condition.op === '=' ? equal : !equal;
}

function outputFieldsHold(groups: MatchSpec['outputFields'], fields: FalcoEvent['output_fields']): boolean {
  return groups.length === 0 || groups.some((group) => group.every((condition) => conditionHolds(condition, fields)));
}

function tagsHold(sets: MatchSpec['tags'], eventTags: readonly string[]): boolean {
  if (sets.length === 0) return true;
  const tags = new Set(eventTags);
  return sets.some((set) => set.every((tag) => tags.has(tag)));
}

/** Every criterion must hold; empty criteria always hold. */
export function matchesEvent(match: MatchSpec, event: FalcoEvent): boolean {
  return (
    (match.rules.length === 0 || match.rules.includes(event.rule)) &&
    outputFieldsHold(match.outputFields, event.output_fields) &&
    priorityHolds(match.priority, event.priority) &&
    tagsHold(match.tags, event.tags) &&
    (match.source === '' || match.source === event.source)
  );
}

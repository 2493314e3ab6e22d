import type { MatchSpec, PriorityOperator } from './types.ts';

/** Falco priorities and the `[<|>][=]<Priority>` comparisons of `match.priority` (reference §4.2). */

const RANKS = new Map([
  ['debug', 1],
  ['informational', 2],
  ['notice', 3],
  ['warning', 4],
  ['error', 5],
  ['critical', 6],
  ['alert', 7],
  ['emergency', 8],
]);

const PRIORITY = /^(<|>)?(=)?(debug|informational|notice|warning|error|critical|alert|emergency|)$/i;

/** Case-insensitive; anything else (`Info`, empty) is rank 0. */
export function priorityRank(priority: string): number {
  return RANKS.get(priority.toLowerCase()) ?? 0;
}

/** Undefined when the text is not a valid `match.priority` (stage A reports it). */
export function parsePriority(text: string): MatchSpec['priority'] | undefined {
  const parsed = PRIORITY.exec(text);
  if (parsed === null) return undefined;
  const [, direction = '', equals = '', name = ''] = parsed;
  const op: PriorityOperator = direction === '<' ? (equals ? '<=' : '<') : direction === '>' ? (equals ? '>=' : '>') : '=';
  return { op, rank: priorityRank(name), text };
}

/** A rule rank of 0 always holds; an event rank of 0 still compares (`<Error` matches it). */
export function priorityHolds(spec: MatchSpec['priority'], eventPriority: string): boolean {
  if (spec.rank === 0) return true;
  const rank = priorityRank(eventPriority);
  switch (spec.op) {
    case '>':
      return rank > spec.rank;
    case '>=':
      return rank >= spec.rank;
    case '<':
      return rank < spec.rank;
    case '<=':
      return rank <= spec.rank;
    case '=':
      return rank === spec.rank;
  }
}

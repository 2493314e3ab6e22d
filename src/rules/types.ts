import type { ActionOutput, ApprovalPolicy, Json } from '../contract/index.ts';

/** Per-action retry overrides: an extension to Talon's rule format (`retry:` on an action). */
export interface RetrySpec {
  readonly maxAttempts?: number;
  /** Temporal duration string, e.g. `1s`, `500ms`. */
  readonly initialInterval?: string;
  readonly maxInterval?: string;
  readonly backoffCoefficient?: number;
}

/** Where an item came from, for error messages (`file:line`). */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

/** One action of a rule, fully merged with its definition. */
export interface ActionSpec {
  readonly name: string;
  readonly description?: string;
  /** `category:name`, e.g. `kubernetes:terminate`. */
  readonly actionner: string;
  /** Undefined: the actionner's own default applies. */
  readonly continue?: boolean;
  readonly ignoreErrors?: boolean;
  readonly additionalContexts: readonly string[];
  readonly parameters: { readonly [key: string]: Json };
  readonly output?: ActionOutput;
  /** Extension: Temporal retry policy overrides for this action's activity. */
  readonly retry?: RetrySpec;
  /** Extension: start-to-close timeout of one attempt, Temporal duration string. */
  readonly timeout?: string;
  /** Extension: a decision before this action. */
  readonly approval?: ApprovalPolicy;
  /** Extension: undo the action's change after this long (Temporal duration string). */
  readonly expireAfter?: string;
  /** Extension: run as a local activity, inside the playbook's workflow task. */
  readonly local?: boolean;
  readonly origin: Origin;
}

export type PriorityOperator = '=' | '>' | '>=' | '<' | '<=';

export interface FieldCondition {
  readonly key: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** A rule's `match:` block, compiled. Empty lists always hold. */
export interface MatchSpec {
  readonly rules: readonly string[];
  /** Rank 0 (empty priority) always holds. */
  readonly priority: { readonly op: PriorityOperator; readonly rank: number; readonly text: string };
  readonly source: string;
  /** OR of AND-sets. */
  readonly tags: readonly (readonly string[])[];
  /** OR of AND-groups. */
  readonly outputFields: readonly (readonly FieldCondition[])[];
}

export interface RuleSpec {
  readonly name: string;
  readonly description?: string;
  /** `false` stops evaluation of later matching rules; undefined or true goes on. */
  readonly continue?: boolean;
  readonly dryRun?: boolean;
  /** Extension: one decision before the rule's actions. */
  readonly approval?: ApprovalPolicy;
  readonly match: MatchSpec;
  readonly actions: readonly ActionSpec[];
  readonly notifiers: readonly string[];
  readonly origin: Origin;
}

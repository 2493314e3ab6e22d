import type { Json } from '../contract/index.ts';
import type { ApprovalPolicy } from '../contract/index.ts';
import type { RetrySpec } from './types.ts';

/**
 * The rule files as written, before compilation: every value keeps the file and line it came from
 * so that merging, inheritance and both validation stages can point at the right place.
 */
export interface Pos {
  readonly file: string;
  readonly line: number;
}

export interface Located<T> {
  readonly value: T;
  readonly pos: Pos;
}

/** A parameter value and the position of its key. */
export interface RawParam {
  readonly value: Json;
  readonly pos: Pos;
}

/** Insertion-ordered, so parameters print and validate in the order they were written. */
export type RawParams = ReadonlyMap<string, RawParam>;

export interface RawOutput {
  readonly target?: Located<string>;
  readonly parameters: RawParams;
  readonly pos: Pos;
}

/** An action definition (top-level `action:` item) or an entry of a rule's `actions:`. */
export interface RawAction {
  /** Undefined or empty: an entry without a name (a stage-A error inside a rule). */
  readonly name?: string;
  readonly pos: Pos;
  readonly description?: string;
  readonly actionner?: Located<string>;
  readonly continue?: boolean;
  readonly ignoreErrors?: boolean;
  /** Empty: none given (a rule entry then inherits the definition's). */
  readonly additionalContexts: readonly string[];
  readonly parameters: RawParams;
  readonly output?: RawOutput;
  readonly retry?: Located<RetrySpec>;
  readonly timeout?: string;
  readonly approval?: ApprovalPolicy;
  readonly expireAfter?: Located<string>;
  readonly local?: Located<boolean>;
}

export interface RawMatch {
  readonly rules: readonly Located<string>[];
  readonly priority?: Located<string>;
  readonly source?: Located<string>;
  readonly tags: readonly Located<string>[];
  readonly outputFields: readonly Located<string>[];
}

export interface RawRule {
  readonly name: string;
  readonly pos: Pos;
  readonly description?: string;
  readonly continue?: boolean;
  readonly dryRun?: boolean;
  readonly approval?: ApprovalPolicy;
  readonly match: RawMatch;
  readonly actions: readonly RawAction[];
  readonly notifiers: readonly Located<string>[];
}

/** Everything read from the rule files, in file order. */
export interface RawItems {
  readonly definitions: readonly RawAction[];
  readonly rules: readonly RawRule[];
}

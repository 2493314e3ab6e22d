import type { FalcoEvent, Json } from '../src/events/types.ts';
import type { OutputSpec } from '../src/rules/types.ts';
import type { Report, StoredArtifact, TalonContext } from '../activities/types.ts';

/** Effective Temporal retry policy of one action (rule-file `retry:` over the defaults). */
export interface PlannedRetry {
  readonly maximumAttempts: number;
  readonly initialInterval: string;
  readonly maximumInterval: string;
  readonly backoffCoefficient: number;
}

/** One action as decided at ingest: merged parameters and every flag resolved. */
export interface PlannedAction {
  readonly name: string;
  readonly actionner: string;
  readonly parameters: { readonly [key: string]: Json };
  /** As written in the rule (undefined when absent): the Talon context shows only what is set. */
  readonly continue?: boolean;
  readonly ignoreErrors?: boolean;
  /** Resolved: rule value, else the actionner's default. */
  readonly effectiveContinue: boolean;
  readonly effectiveIgnoreErrors: boolean;
  readonly additionalContexts: readonly string[];
  /** `required`/`allowed` from the actionner; `none` means an `output:` given is ignored. */
  readonly outputMode: 'required' | 'allowed' | 'none';
  readonly output?: OutputSpec;
  readonly retry: PlannedRetry;
  /** Start-to-close timeout of one attempt. */
  readonly timeout: string;
}

export interface PlannedRule {
  readonly name: string;
  readonly continue?: boolean;
  readonly dryRun?: boolean;
  /** `default_notifiers` ∪ the rule's `notifiers`, duplicates removed, in that order. */
  readonly notifiers: readonly string[];
  readonly actions: readonly PlannedAction[];
}

/** The playbook workflow's only input: a self-contained snapshot, so history explains every step. */
export interface PlaybookInput {
  readonly event: FalcoEvent;
  readonly rules: readonly PlannedRule[];
  /** The workflow stays open at least this long after it started, so duplicates keep being rejected. */
  readonly dedupWindowSeconds: number;
  /** `trace_id` of the notifications; defaults to the workflow ID. */
  readonly traceId?: string;
}

/** What an action activity receives. */
export interface ActionActivityInput {
  readonly event: FalcoEvent;
  readonly context: TalonContext;
  readonly rule: string;
  readonly action: string;
  readonly actionner: string;
  readonly parameters: { readonly [key: string]: Json };
  readonly additionalContexts: readonly string[];
  readonly outputMode: 'required' | 'allowed' | 'none';
  readonly output?: OutputSpec;
  readonly idempotencyKey: string;
}

export interface OutputOutcome {
  readonly target: string;
  readonly status: 'success' | 'failure';
  readonly result?: string;
  readonly objects: { readonly [key: string]: string };
  readonly artifact?: StoredArtifact;
  readonly error?: string;
}

/** What an action activity returns: small, never the artifact bytes themselves. */
export interface ActionActivityResult {
  readonly status: 'success' | 'ignored';
  readonly result: string;
  readonly objects: { readonly [key: string]: string };
  /** Artifact text when no output stage stored it (as Talon does), truncated. */
  readonly output?: string;
  readonly outputOutcome?: OutputOutcome;
  readonly attempt: number;
}

export type ActionStatus = 'success' | 'ignored' | 'failure' | 'dry_run';

export interface ActionReport {
  readonly action: string;
  readonly actionner: string;
  readonly status: ActionStatus;
  readonly attempts: number;
  readonly durationMs: number;
  readonly result?: string;
  readonly error?: string;
  readonly errorType?: string;
  /** The failure was ignored (`ignore_errors: true`), so the chain went on. */
  readonly errorIgnored?: boolean;
  readonly objects: { readonly [key: string]: string };
  readonly output?: OutputOutcome;
}

export interface RuleReport {
  readonly rule: string;
  readonly dryRun: boolean;
  readonly actions: readonly ActionReport[];
}

export interface NotificationRecord {
  readonly notifier: string;
  readonly message: Report['message'];
  readonly rule: string;
  readonly action: string;
  readonly status: 'sent' | 'failed';
  readonly error?: string;
}

export type Outcome = 'succeeded' | 'failed' | 'dry_run';

export interface PlaybookReport {
  readonly outcome: Outcome;
  readonly rules: readonly RuleReport[];
  readonly notifications: readonly NotificationRecord[];
}

export interface Progress {
  readonly phase: 'running' | 'notifying' | 'dedup-window' | 'done';
  readonly current?: { readonly rule: string; readonly action: string };
  readonly rules: readonly RuleReport[];
}

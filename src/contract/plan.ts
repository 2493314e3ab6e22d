import type { FalcoEvent, Json } from './event.ts';

/** Where an action's artifact goes: an output target (`aws:s3`) and its parameters. */
export interface ActionOutput {
  readonly target: string;
  readonly parameters: { readonly [key: string]: Json };
}

/** Effective Temporal retry policy of one action (rule-file `retry:` over the defaults). */
export interface PlannedRetry {
  readonly maximumAttempts: number;
  readonly initialInterval: string;
  readonly maximumInterval: string;
  readonly backoffCoefficient: number;
}

/** `required`/`allowed` from the actionner; `none` means an `output:` given is ignored. */
export type OutputMode = 'required' | 'allowed' | 'none';

/**
 * A human decision before disruptive steps (`approval:` on a rule or an action, or the governor's
 * over-budget policy): the workflow waits up to `timeout`, then `default` applies.
 */
export interface ApprovalPolicy {
  /** Temporal duration string. */
  readonly timeout: string;
  readonly default: 'approve' | 'deny';
  /** Who may decide; empty: anyone who can reach the workflow (CLI, Update) or the ingest (HTTP). */
  readonly approvers: readonly string[];
}

/** One blast-radius limit: at most `max` destructive actions per `scope` key within `window`. */
export interface BudgetLimit {
  readonly scope: 'namespace' | 'node' | 'cluster';
  readonly max: number;
  /** Temporal duration string. */
  readonly window: string;
}

/** The blast-radius governor's policy at the time of the alert (the configuration's `governor`). */
export interface GovernorPolicy {
  readonly limits: readonly BudgetLimit[];
  /** What an action over budget (or while paused) becomes. */
  readonly overBudget: 'dry_run' | 'approval';
  readonly approval: ApprovalPolicy;
}

/** Links a notification carries: the run in the Temporal UI, the ingest's approval endpoint. */
export interface RunLinks {
  readonly run?: string;
  readonly approve?: string;
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
  readonly outputMode: OutputMode;
  readonly output?: ActionOutput;
  readonly retry: PlannedRetry;
  /** Start-to-close timeout of one attempt. */
  readonly timeout: string;
  /** Lane of the activity (its task queue is `<task queue>-<lane>`); absent in inputs planned before lanes existed. */
  readonly lane?: string;
  /** Extension: wait for a decision before this action. */
  readonly approval?: ApprovalPolicy;
  /** Extension: hold the containment this long, then undo exactly what the action changed. */
  readonly expireAfter?: string;
  /** One of the governor's destructive actionners: it draws on the blast-radius budget. */
  readonly destructive?: boolean;
  /**
   * Extension `local: true`: a local activity in the playbook's own workflow task (no activity task,
   * no lane): fewer history events and round trips; retried by the workflow task, no heartbeat.
   */
  readonly local?: boolean;
}

/** Lane of the notifier activities: a slow chat or mail server cannot hold the actions' slots. */
export const NOTIFIER_LANE = 'notifiers';

/** The task queue of a lane, next to the playbooks' own queue. */
export function laneTaskQueue(taskQueue: string, lane: string): string {
  return `${taskQueue}-${lane}`;
}

export interface PlannedRule {
  readonly name: string;
  readonly continue?: boolean;
  readonly dryRun?: boolean;
  /** Extension: one decision before the rule's first action; denied, none of them runs. */
  readonly approval?: ApprovalPolicy;
  /** `default_notifiers` ∪ the rule's `notifiers`, duplicates removed, in that order. */
  readonly notifiers: readonly string[];
  readonly actions: readonly PlannedAction[];
}

/** The playbook workflow's only input: a self-contained snapshot, so history explains every step. */
export interface PlaybookInput {
  readonly event: FalcoEvent;
  /** Only the rules that run: rule-level `continue: false` has already cut the list. */
  readonly rules: readonly PlannedRule[];
  /** The workflow stays open at least this long after it started, so duplicates keep being rejected. */
  readonly dedupWindowSeconds: number;
  /** `trace_id` of the notifications; defaults to the workflow ID. */
  readonly traceId?: string;
  /** Present when a destructive action is planned: budgets and the pause switch apply. */
  readonly governor?: GovernorPolicy;
  readonly links?: RunLinks;
}

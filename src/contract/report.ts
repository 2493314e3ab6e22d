import type { Objects } from './event.ts';
import type { OutputOutcome, Report } from './activity.ts';
import type { DecisionRecord } from './decisions.ts';

/** `denied`: an approver (or the approval's timeout) said no; `over_budget`: the governor held it. */
export type ActionStatus = 'success' | 'ignored' | 'failure' | 'dry_run' | 'denied' | 'over_budget';

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
  readonly objects: Objects;
  readonly output?: OutputOutcome;
  /** The decision this action waited for. */
  readonly approval?: DecisionRecord;
  /** The workflow holding this action's containment (`expire_after:`) and until when. */
  readonly containment?: { readonly workflowId: string; readonly until: string };
}

export interface RuleReport {
  readonly rule: string;
  readonly dryRun: boolean;
  /** The rule-level decision, when the rule asks for one. */
  readonly approval?: DecisionRecord;
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

/** What the playbook workflow returns. */
export interface PlaybookReport {
  readonly outcome: Outcome;
  readonly rules: readonly RuleReport[];
  readonly notifications: readonly NotificationRecord[];
  /** Every approval decision of the run, in order (absent in runs before approvals existed). */
  readonly approvals?: readonly DecisionRecord[];
}

/** The playbook's `progress` query answer. */
export interface Progress {
  readonly phase: 'running' | 'awaiting-approval' | 'notifying' | 'dedup-window' | 'done';
  readonly current?: { readonly rule: string; readonly action: string };
  readonly rules: readonly RuleReport[];
}

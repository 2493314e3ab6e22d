import type { Objects } from './event.ts';
import type { OutputOutcome, Report } from './activity.ts';

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
  readonly objects: Objects;
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

/** What the playbook workflow returns. */
export interface PlaybookReport {
  readonly outcome: Outcome;
  readonly rules: readonly RuleReport[];
  readonly notifications: readonly NotificationRecord[];
}

/** The playbook's `progress` query answer. */
export interface Progress {
  readonly phase: 'running' | 'notifying' | 'dedup-window' | 'done';
  readonly current?: { readonly rule: string; readonly action: string };
  readonly rules: readonly RuleReport[];
}

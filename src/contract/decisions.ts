import type { Change, UndoResult } from './containment.ts';
import type { FalcoEvent } from './event.ts';
import type { BudgetLimit, RunLinks } from './plan.ts';

// Names and messages of the human controls: approval decisions (a workflow Update on the playbook),
// containment holds (Updates on the containment workflow), budgets and the pause switch. Plain
// names and types, so the workflows, the CLI, the ingest and the worker agree without importing
// each other.

/** What an approver sends: `talon approve|deny`, `POST /approvals/<id>`, or the Update directly. */
export interface Decision {
  readonly decision: 'approve' | 'deny';
  readonly approver: string;
  readonly reason: string;
}

/** A decision as the playbook recorded it: by a person, or the policy's default at the timeout. */
export interface DecisionRecord extends Decision {
  /** What was decided on: `rule '<name>'` or `action '<name>' of rule '<name>'`. */
  readonly gate: string;
  readonly by: 'approver' | 'timeout';
  /** ISO time of the decision. */
  readonly at: string;
}

/** The approval a playbook waits for now (its `pendingApproval` query). */
export interface PendingApproval {
  readonly gate: string;
  readonly approvers: readonly string[];
  readonly deadline: string;
  readonly default: 'approve' | 'deny';
}

export const DECIDE_UPDATE = 'decide';
export const PENDING_APPROVAL_QUERY = 'pendingApproval';

/** One containment held by a `containment` workflow (`expire_after:`). */
export interface ContainmentInput {
  readonly playbookId: string;
  readonly rule: string;
  readonly action: string;
  readonly actionner: string;
  /** Its task queue's lane: the undo runs where the action ran. */
  readonly lane?: string;
  readonly change: Change;
  /** Temporal duration string. */
  readonly expireAfter: string;
  readonly notifiers: readonly string[];
  readonly event: Pick<FalcoEvent, 'output' | 'rule'>;
  readonly traceId: string;
  readonly links?: RunLinks;
}

/** `talon extend|confirm|release`: the containment Update's argument. */
export type ContainmentCommand =
  | { readonly op: 'extend'; readonly by: string; readonly reason: string; readonly duration: string }
  | { readonly op: 'confirm' | 'release'; readonly by: string; readonly reason: string };

/** The containment's state (its `containment` query and the Update's answer). */
export interface ContainmentState {
  readonly state: 'holding' | 'confirmed' | 'released' | 'expired' | 'undone' | 'undo_failed';
  /** ISO time the containment ends unless extended, confirmed or released. */
  readonly until: string;
  readonly target: string;
  readonly history: readonly { readonly op: string; readonly by: string; readonly reason: string; readonly at: string }[];
  readonly undo?: UndoResult;
}

export const CONTAINMENT_UPDATE = 'containment';
export const CONTAINMENT_QUERY = 'containment';

/** A reservation of one destructive action in one scope's budget. */
export interface BudgetRequest {
  /** `<playbook id>/<action index>`: the same action asking twice (a retry) gets the same answer. */
  readonly key: string;
  readonly max: number;
  /** Temporal duration string. */
  readonly window: string;
}

export interface BudgetAnswer {
  readonly granted: boolean;
  /** Reservations in the window, this one included when granted. */
  readonly used: number;
  readonly max: number;
}

export const RESERVE_UPDATE = 'reserve';
export const RETURN_UPDATE = 'return';

/** The verdict of the governor on one destructive action. */
export interface GovernorVerdict {
  readonly granted: boolean;
  /** Why not: paused, or which budget is spent. */
  readonly reason?: string;
}

export interface GovernorRequest {
  readonly key: string;
  readonly namespace?: string;
  readonly node?: string;
  readonly limits: readonly BudgetLimit[];
}

export const GOVERNOR_ACTIVITY = 'talon:governor';
/**
 * The pause switch of the deployment serving `taskQueue`: while a workflow of this ID is open,
 * every destructive action is held.
 */
export function pauseWorkflowId(taskQueue: string): string {
  return `talon-pause/${taskQueue}`;
}
export const RESUME_SIGNAL = 'resume';
/** Budget workflows: one per scope key of the deployment serving `taskQueue`. */
export function budgetWorkflowId(taskQueue: string, scope: BudgetLimit['scope'], key: string): string {
  return `talon-budget/${taskQueue}/${scope}/${key}`;
}
export function containmentWorkflowId(playbookId: string, actionIndex: number): string {
  return `${playbookId}/contain/${actionIndex}`;
}

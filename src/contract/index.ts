// The contract: every type that crosses ingest → workflow → activities, plus the specs that describe
// actionners, outputs, notifiers and contexts. Sandbox-safe: no Node built-ins, no I/O.
export type * from './event.ts';
export type * from './plan.ts';
export type * from './activity.ts';
export type * from './report.ts';
export type * from './spec.ts';
export type * from './containment.ts';
export type * from './decisions.ts';
export { notifierActivityName } from './activity.ts';
export { laneTaskQueue, NOTIFIER_LANE } from './plan.ts';
export { SNAPSHOT_ACTIVITY, UNDO_ACTIVITY } from './containment.ts';
export {
  budgetWorkflowId,
  containmentWorkflowId,
  CONTAINMENT_QUERY,
  CONTAINMENT_UPDATE,
  DECIDE_UPDATE,
  GOVERNOR_ACTIVITY,
  pauseWorkflowId,
  PENDING_APPROVAL_QUERY,
  RESERVE_UPDATE,
  RESUME_SIGNAL,
  RETURN_UPDATE,
} from './decisions.ts';

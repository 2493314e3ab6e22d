import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { laneTaskQueue } from '../src/contract/index.ts';
import { hostname, namespace, podName } from '../src/events/fields.ts';
import { talonContext } from './context.ts';
import type { ActionActivity, ActionActivityResult, ActionReport, FalcoEvent, PlannedAction, PlannedRule } from '../src/contract/index.ts';

function attemptOf(failure: ApplicationFailure): number | undefined {
  const [details] = failure.details ?? [];
  if (details && typeof details === 'object' && 'attempt' in details && typeof details.attempt === 'number') return details.attempt;
  return undefined;
}

/** Error text, type and attempt count out of an activity failure. */
function describeFailure(error: unknown, action: PlannedAction): { error: string; errorType: string; attempts: number } {
  // A regular activity's failure wraps the cause in an ActivityFailure; a local activity's may not.
  if (error instanceof ActivityFailure || error instanceof ApplicationFailure || error instanceof TimeoutFailure) {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    if (cause instanceof ApplicationFailure) {
      return { error: cause.message, errorType: cause.type ?? 'Error', attempts: attemptOf(cause) ?? action.retry.maximumAttempts };
    }
    if (cause instanceof TimeoutFailure) {
      return { error: `timed out (${cause.timeoutType ?? 'timeout'}) after ${action.timeout}`, errorType: 'Timeout', attempts: action.retry.maximumAttempts };
    }
    return { error: cause?.message ?? error.message, errorType: cause?.name ?? 'Error', attempts: action.retry.maximumAttempts };
  }
  return { error: error instanceof Error ? error.message : String(error), errorType: 'Error', attempts: 1 };
}

/** Runs one action as the activity named after its actionner, with its retry policy and timeout. */
/**
 * A failed action returned no objects; the event's pod (when it names one) stands in, so the failure
 * report reaches the pod (k8sevents records it there, not in `default`) and reads like the success one.
 */
function failedObjects(event: FalcoEvent): { [key: string]: string } {
  const pod = podName(event);
  const ns = namespace(event);
  return pod !== '' && ns !== '' ? { pod, namespace: ns } : {};
}

/** `namespace/pod`, else the host: what an action on this event acts on, for people. */
export function eventTarget(event: FalcoEvent): string {
  const pod = podName(event);
  return pod ? `${namespace(event) ? `${namespace(event)}/` : ''}${pod}` : hostname(event) || 'host';
}

/**
 * Every action activity heartbeats each second while it runs (activities/activity-context.ts): a
 * worker that dies mid-action is noticed after this, not after the action's whole timeout, and the
 * action is retried on another worker.
 */
export const ACTION_HEARTBEAT_TIMEOUT = '5s';

export async function runAction(
  event: FalcoEvent,
  rule: PlannedRule,
  action: PlannedAction,
  idempotencyKey: string,
): Promise<{ report: ActionReport; result?: ActionActivityResult }> {
  const retry = { ...action.retry, nonRetryableErrorTypes: ['InvalidParameters'] };
  // The UI's label for this step: the action and what it acts on.
  const summary = `${action.name}: ${action.actionner} → ${eventTarget(event)}`.slice(0, 200);
  const activities = action.local
    ? // In this workflow task, on this worker: no activity task to schedule, match and report.
      proxyLocalActivities<Record<string, ActionActivity>>({ startToCloseTimeout: action.timeout, retry, summary })
    : proxyActivities<Record<string, ActionActivity>>({
        // Its lane's queue (own worker slots); inputs planned before lanes used the playbook's queue.
        taskQueue: action.lane ? laneTaskQueue(workflowInfo().taskQueue, action.lane) : undefined,
        startToCloseTimeout: action.timeout,
        heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
        retry,
        summary,
      });
  const started = Date.now();
  const base = { action: action.name, actionner: action.actionner };
  try {
    const activity = activities[action.actionner];
    if (!activity) throw new Error(`unknown actionner '${action.actionner}'`);
    const result = await activity({
      event,
      context: talonContext(rule, action),
      rule: rule.name,
      action: action.name,
      actionner: action.actionner,
      parameters: action.parameters,
      additionalContexts: action.additionalContexts,
      outputMode: action.outputMode,
      output: action.output,
      idempotencyKey,
    });
    const outputFailed = result.outputOutcome?.status === 'failure';
    const report: ActionReport = {
      ...base,
      status: outputFailed ? 'failure' : result.status,
      attempts: result.attempt,
      durationMs: Date.now() - started,
      result: result.result,
      objects: result.objects,
      output: result.outputOutcome,
      ...(outputFailed ? { error: result.outputOutcome?.error, errorType: 'OutputFailed' } : {}),
    };
    return { report, result };
  } catch (error) {
    const failure = describeFailure(error, action);
    return { report: { ...base, status: 'failure', durationMs: Date.now() - started, objects: failedObjects(event), ...failure } };
  }
}

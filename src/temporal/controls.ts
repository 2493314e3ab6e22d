import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ContainmentCommand, ContainmentState, Decision, DecisionRecord } from '../contract/index.ts';
import { CONTAINMENT_UPDATE, DECIDE_UPDATE, pauseWorkflowId, RESUME_SIGNAL } from '../contract/index.ts';
import { SEARCH_ATTRIBUTES } from './search-attributes.ts';

// The human controls as client calls, shared by the CLI (`talon approve|deny|extend|confirm|
// release|contained|pause|resume`) and the ingest's approval endpoint.

/** A control that Temporal or the workflow refused: `not_found` (no such run) or `refused` (its validator said no). */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly kind: 'not_found' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

async function controlled<T>(workflowId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new ControlError('not_found', `no open run '${workflowId}'`);
    if (error instanceof WorkflowUpdateFailedError) throw new ControlError('refused', error.cause?.message ?? error.message);
    throw error;
  }
}

/** Approves or denies the approval a playbook waits for (its Update; the validator checks the approver). */
export function decide(client: Client, workflowId: string, decision: Decision): Promise<DecisionRecord> {
  return controlled(workflowId, () => client.workflow.getHandle(workflowId).executeUpdate<DecisionRecord, [Decision]>(DECIDE_UPDATE, { args: [decision] }));
}

/** Extends, confirms or releases a containment (its Update). */
export function commandContainment(client: Client, workflowId: string, command: ContainmentCommand): Promise<ContainmentState> {
  return controlled(workflowId, () =>
    client.workflow.getHandle(workflowId).executeUpdate<ContainmentState, [ContainmentCommand]>(CONTAINMENT_UPDATE, { args: [command] }),
  );
}

export interface Contained {
  readonly workflowId: string;
  readonly until: Date | undefined;
  readonly rule: string;
  readonly namespace: string;
  readonly pod: string;
}

/** What is contained now: open containment workflows with their deadline, from visibility only. */
export async function listContained(client: Client): Promise<Contained[]> {
  const found: Contained[] = [];
  const query = `WorkflowType = 'containment' AND ExecutionStatus = 'Running'`;
  for await (const run of client.workflow.list({ query })) {
    const attributes = run.typedSearchAttributes;
    found.push({
      workflowId: run.workflowId,
      until: attributes.get(SEARCH_ATTRIBUTES.talonContainedUntil),
      rule: attributes.get(SEARCH_ATTRIBUTES.falcoRule) ?? '',
      namespace: attributes.get(SEARCH_ATTRIBUTES.k8sNamespace) ?? '',
      pod: attributes.get(SEARCH_ATTRIBUTES.k8sPod) ?? '',
    });
  }
  return found.sort((a, b) => (a.until?.getTime() ?? 0) - (b.until?.getTime() ?? 0));
}

export interface PauseState {
  readonly paused: boolean;
  readonly by?: string;
  readonly reason?: string;
  readonly since?: Date;
}

/** Whether destructive actions are paused: the pause workflow is open (its memo says who and why). */
export async function pauseState(client: Client, taskQueue: string): Promise<PauseState> {
  try {
    const run = await client.workflow.getHandle(pauseWorkflowId(taskQueue)).describe();
    if (run.status.name !== 'RUNNING') return { paused: false };
    const memo = (run.memo ?? {}) as { by?: string; reason?: string };
    return { paused: true, by: memo.by, reason: memo.reason, since: run.startTime };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { paused: false };
    throw error;
  }
}

/** `talon pause`: opens the pause workflow of the deployment serving `taskQueue`; already open, says by whom. */
export async function pause(client: Client, taskQueue: string, by: string, reason: string): Promise<PauseState> {
  try {
    const at = new Date().toISOString();
    await client.workflow.start('pauseSwitch', { workflowId: pauseWorkflowId(taskQueue), taskQueue, args: [{ by, reason, at }], memo: { by, reason } });
    return { paused: true, by, reason, since: new Date(at) };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return pauseState(client, taskQueue);
    throw error;
  }
}

/** `talon resume`: ends the pause workflow (a signal, in its history with who and why). */
export async function resume(client: Client, taskQueue: string, by: string, reason: string): Promise<boolean> {
  try {
    const handle = client.workflow.getHandle(pauseWorkflowId(taskQueue));
    if ((await handle.describe()).status.name !== 'RUNNING') return false;
    await handle.signal(RESUME_SIGNAL, { by, reason });
    await handle.result();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

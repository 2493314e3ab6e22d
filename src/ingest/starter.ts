import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { PlaybookInput } from '../contract/index.ts';
import { clip } from './clip.ts';

/** Longest memo value kept whole. */
export const MAX_MEMO_BYTES = 4096;

export type StartOutcome = { status: 'started' | 'duplicate'; workflowId: string; runId: string };

/** Starts playbook workflows; injected into the ingest app so unit tests need no server. */
export interface WorkflowStarter {
  start(workflowId: string, input: PlaybookInput, searchAttributes: SearchAttributePair[]): Promise<StartOutcome>;
  /** Whether Temporal answers. */
  healthy(): Promise<boolean>;
}

/** Temporal refused or could not be reached: the sender should retry later. */
export class TemporalUnavailableError extends Error {}

/** gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): the server is down or unreachable. */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ('code' in e && (e.code === 14 || e.code === 4)) return true;
    if (/unavailable|deadline|ECONNREFUSED|connect/i.test(e.message)) return true;
  }
  return false;
}

/**
 * How a playbook is started: a running workflow of the same ID rejects the start (dedup); a closed
 * one allows it (after the dedup window). The benchmark's raw baseline uses the same options.
 */
export function playbookStartOptions(taskQueue: string, workflowId: string, input: PlaybookInput, searchAttributes: SearchAttributePair[]) {
  return {
    taskQueue,
    workflowId,
    args: [input] as [PlaybookInput],
    workflowIdConflictPolicy: 'FAIL' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    typedSearchAttributes: searchAttributes,
    // Bounded: the memo travels with every visibility answer; the input keeps the values whole.
    memo: {
      output: clip(input.event.output, MAX_MEMO_BYTES),
      rule: clip(input.event.rule, MAX_MEMO_BYTES),
      priority: clip(input.event.priority, MAX_MEMO_BYTES),
    },
  };
}

/**
 * The real starter. Deduplication is Temporal's: a running workflow with the same ID rejects the
 * start (conflict policy FAIL), a closed one lets a new run start (reuse policy ALLOW_DUPLICATE), so
 * it holds across any number of ingest replicas.
 */
export function temporalStarter(client: Client, taskQueue: string, timeoutMs = 5000): WorkflowStarter {
  return {
    async start(workflowId, input, searchAttributes) {
      try {
        const handle = await client.withDeadline(Date.now() + timeoutMs, () =>
          client.workflow.start('playbook', playbookStartOptions(taskQueue, workflowId, input, searchAttributes)),
        );
        return { status: 'started', workflowId, runId: handle.firstExecutionRunId };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          const description = await client.workflow.getHandle(workflowId).describe();
          return { status: 'duplicate', workflowId, runId: description.runId };
        }
        if (isUnavailable(error)) throw new TemporalUnavailableError(error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
    async healthy() {
      try {
        await client.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}));
        return true;
      } catch {
        return false;
      }
    },
  };
}

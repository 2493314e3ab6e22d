import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { runDetails, runSummary } from '../plan/summary.ts';
import type { PlaybookInput } from '../contract/index.ts';
import { clip } from './clip.ts';
import { startGate, StartQueueFullError, type StartGateOptions } from './start-gate.ts';

/** Longest memo value kept whole. */
export const MAX_MEMO_BYTES = 4096;

export type StartOutcome = { status: 'started' | 'duplicate'; workflowId: string; runId: string };

/** Starts playbook workflows; injected into the ingest app so unit tests need no server. */
export interface WorkflowStarter {
  start(workflowId: string, input: PlaybookInput, searchAttributes: SearchAttributePair[]): Promise<StartOutcome>;
  /** Whether Temporal answers. */
  healthy(): Promise<boolean>;
  /** True while a burst is in hand: more starts in flight than a trickle makes, or alerts waiting for one. */
  busy?(): boolean;
}

/** Temporal refused or could not be reached: the sender should retry later. */
export class TemporalUnavailableError extends Error {}

/**
 * The start may or may not have happened, and trying again is right: gRPC UNAVAILABLE (14),
 * DEADLINE_EXCEEDED (4) and CANCELLED (1), and a transport failure reported as INTERNAL (13) or
 * UNKNOWN (2) — a stream reset or dropped connection while the server restarts. Also a search
 * attribute the server's frontends do not know yet: registering one (at start-up, on a new server)
 * reaches them only when their namespace cache refreshes, some seconds later.
 */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = 'code' in e ? e.code : undefined;
    if (code === 3 && /no mapping defined for search attribute/i.test(e.message)) return true;
    if (code === 14 || code === 4 || code === 1) return true;
    if ((code === 13 || code === 2) && /RST_STREAM|connection|socket|protocol error|GOAWAY/i.test(e.message)) return true;
    if (/unavailable|deadline|ECONNREFUSED|ECONNRESET|connect|cancelled/i.test(e.message)) return true;
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
    // What the Temporal UI shows in the list and on the run's page (encoded like the input).
    staticSummary: runSummary(input),
    staticDetails: runDetails(input),
    // Bounded: the memo travels with every visibility answer; the input keeps the values whole.
    memo: {
      output: clip(input.event.output, MAX_MEMO_BYTES),
      rule: clip(input.event.rule, MAX_MEMO_BYTES),
      priority: clip(input.event.priority, MAX_MEMO_BYTES),
    },
  };
}

export interface StarterOptions extends StartGateOptions {
  /** Longest a request is held until its start is durable; past it, 503. @default 60000 */
  readonly maxWaitMs?: number;
  /**
   * Ask for eager start: with the client on the worker's own connection (`talon start`), the
   * server hands the first workflow task back in the start's answer, to this process's worker,
   * instead of matching it to a poller — only while no other start is in flight. @default false
   */
  readonly eager?: boolean;
}

/** Runs remembered for answering repeats without a request (about 100 bytes each). */
const MAX_REMEMBERED = 50_000;

/** One attempt's bound: long enough for a loaded server, short enough to retry within the wait. */
const ATTEMPT_MS = 10_000;

/**
 * A start this long after the alert's arrival first looks for a run the alert duplicates. Below
 * it, the first run (open for the whole window) still rejects the start, except for an alert that
 * arrived in the last 50 ms of the window: within the clock skew of two replicas anyway.
 */
const WAITED_MS = 50;

/**
 * Eager start only while this is the only start in flight. Alone, the first workflow task coming
 * back in the start's answer halves POST → first action (no matching, bench: 100 → 51 ms). Under
 * load it queues in this process's worker behind the others and slows every answer (bench, 8 in
 * flight: answer p50 114 → 55 ms, first action no slower; 1,000 alerts as fast as answered:
 * accepted 0.50 → 0.71–0.78 of the raw start rate): the ingest answering falcosidekick comes first.
 */
const EAGER_WHILE_STARTING_AT_MOST = 1;

/**
 * Starts in flight past which the ingest counts as busy (a worker in the same process then yields
 * it the CPU: src/worker/ingest-first-slots.ts). 8 alerts in flight end to end keep ~1–3 of them
 * starting at once; falcosidekick's burst keeps the gate full.
 */
const BUSY_ABOVE_STARTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Found = { kind: 'exists'; runId: string } | { kind: 'absent' } | { kind: 'unknown' };

/**
 * The real starter. Deduplication is Temporal's: a running workflow with the same ID rejects the
 * start (conflict policy FAIL), a closed one lets a new run start (reuse policy ALLOW_DUPLICATE), so
 * it holds across any number of ingest replicas.
 *
 * It holds a request until the start is durable: starts go through a bounded gate; identical
 * alerts waiting in this process share one start; a start whose outcome is unknown (a deadline, a
 * cancelled call, a lost connection) is resolved by describing the workflow ID before answering,
 * and retried while it certainly did not happen, until `maxWaitMs`.
 */
export function temporalStarter(client: Client, taskQueue: string, options: StarterOptions | number = {}): WorkflowStarter {
  const settings = typeof options === 'number' ? { maxWaitMs: options } : options;
  const maxWaitMs = settings.maxWaitMs ?? 60_000;
  const gate = startGate(settings);
  const inflight = new Map<string, Promise<StartOutcome>>();
  /**
   * Runs this ingest started, until their dedup window ends: a run stays open at least that long
   * after it started, so a repeat within it is a duplicate without asking Temporal (an alert storm
   * repeats a few outputs thousands of times). Oldest first, bounded.
   */
  const recent = new Map<string, { readonly runId: string; readonly until: number }>();
  const remember = (workflowId: string, runId: string, sentAt: number, windowSeconds: number) => {
    if (windowSeconds <= 0) return;
    recent.delete(workflowId);
    // From before the start was sent: the server's start time is no earlier, so the run is open until then.
    recent.set(workflowId, { runId, until: sentAt + windowSeconds * 1000 });
    if (recent.size > MAX_REMEMBERED) recent.delete(recent.keys().next().value!);
  };

  /** Whether a run of `workflowId` exists that this start may have created (started at or after `since`). */
  async function find(workflowId: string, since: number, deadline: number): Promise<Found> {
    try {
      const description = await client.withDeadline(Math.min(deadline, Date.now() + ATTEMPT_MS), () => client.workflow.getHandle(workflowId).describe());
      const ours = description.status.name === 'RUNNING' || description.startTime.getTime() >= since - 1000;
      return ours ? { kind: 'exists', runId: description.runId } : { kind: 'absent' };
    } catch (error) {
      return error instanceof WorkflowNotFoundError ? { kind: 'absent' } : { kind: 'unknown' };
    }
  }

  /**
   * A run of `workflowId` that began less than the dedup window before the alert arrived: the alert
   * is its duplicate even though the run may have closed while the alert waited for its start.
   */
  async function earlierRun(workflowId: string, arrivedAt: number, windowMs: number, deadline: number): Promise<string | undefined> {
    try {
      const description = await client.withDeadline(Math.min(deadline, Date.now() + ATTEMPT_MS), () => client.workflow.getHandle(workflowId).describe());
      return description.startTime.getTime() > arrivedAt - windowMs ? description.runId : undefined;
    } catch {
      // Not found, or no answer: the start decides (a running run still rejects it).
      return undefined;
    }
  }

  async function startUntil(
    workflowId: string,
    input: PlaybookInput,
    searchAttributes: SearchAttributePair[],
    arrivedAt: number,
    deadline: number,
  ): Promise<StartOutcome> {
    const since = Date.now();
    let lastError: unknown;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      // Started at once, a duplicate finds the first run still open (it stays open for the window);
      // after a wait, that run may have closed, so compare start and arrival times.
      if (Date.now() - arrivedAt >= WAITED_MS && input.dedupWindowSeconds > 0) {
        const runId = await earlierRun(workflowId, arrivedAt, input.dedupWindowSeconds * 1000, deadline);
        if (runId) return { status: 'duplicate', workflowId, runId };
      }
      const sentAt = Date.now();
      try {
        const handle = await client.withDeadline(Math.min(deadline, Date.now() + ATTEMPT_MS), () =>
          client.workflow.start('playbook', {
            ...playbookStartOptions(taskQueue, workflowId, input, searchAttributes),
            requestEagerStart: settings.eager === true && gate.load.running <= EAGER_WHILE_STARTING_AT_MOST,
          }),
        );
        remember(workflowId, handle.firstExecutionRunId, sentAt, input.dedupWindowSeconds);
        return { status: 'started', workflowId, runId: handle.firstExecutionRunId };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          const found = await find(workflowId, 0, deadline);
          return { status: 'duplicate', workflowId, runId: found.kind === 'exists' ? found.runId : '' };
        }
        if (!isUnavailable(error)) throw error;
        lastError = error;
        // The request may have reached the server before the failure: is the workflow there?
        const found = await find(workflowId, since, deadline);
        if (found.kind === 'exists') return { status: 'started', workflowId, runId: found.runId };
        await sleep(Math.min(200 * 2 ** attempt, 5_000, Math.max(0, deadline - Date.now())));
      }
    }
    // Not started as far as Temporal could tell; a resend of the same alert is safe (same workflow ID).
    throw new TemporalUnavailableError(lastError instanceof Error ? lastError.message : 'no answer from Temporal within the wait');
  }

  return {
    async start(workflowId, input, searchAttributes) {
      // Identical alerts waiting here share one start: the first gets its outcome, the rest are duplicates.
      const shared = inflight.get(workflowId);
      if (shared) return { ...(await shared), status: 'duplicate' };
      const arrivedAt = Date.now();
      const known = recent.get(workflowId);
      if (known && known.until > arrivedAt) return { status: 'duplicate', workflowId, runId: known.runId };
      const deadline = arrivedAt + maxWaitMs;
      const started = gate.run(deadline, () => startUntil(workflowId, input, searchAttributes, arrivedAt, deadline));
      inflight.set(workflowId, started);
      try {
        return await started;
      } catch (error) {
        if (error instanceof StartQueueFullError) throw new TemporalUnavailableError(error.message);
        throw error;
      } finally {
        inflight.delete(workflowId);
      }
    },
    busy() {
      const { running, queued } = gate.load;
      return queued > 0 || running > BUSY_ABOVE_STARTS;
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

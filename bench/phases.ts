import type { Client } from '@temporalio/client';

// Where POST → first activity goes, read from the runs' own histories (server timestamps): the
// start, the workflow task waiting for and being handled by the worker, and the activity task
// waiting for its lane's poller. The profile the latency figures are tuned against.

export interface PhaseMedians {
  /** WorkflowExecutionStarted → WorkflowTaskStarted: matching the first workflow task to a poller. */
  readonly workflowTaskWaitMs: number;
  /** WorkflowTaskStarted → WorkflowTaskCompleted: the worker running the playbook to its first command. */
  readonly workflowTaskRunMs: number;
  /** WorkflowTaskCompleted → ActivityTaskStarted: the activity scheduled, matched and polled on its lane (NaN for local activities). */
  readonly activityWaitMs: number;
  /** History events of one closed run: each is a write of the server's. */
  readonly historyEvents: number;
  readonly sampled: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? Number.NaN) * 10) / 10;
};

export async function phaseMedians(client: Client, workflowIds: readonly string[]): Promise<PhaseMedians> {
  const wait: number[] = [];
  const run: number[] = [];
  const activity: number[] = [];
  const counts: number[] = [];
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const at = (pick: (e: (typeof events)[number]) => unknown) => {
      const event = events.find((e) => pick(e));
      return event ? ms(event.eventTime) : undefined;
    };
    const started = at((e) => e.workflowExecutionStartedEventAttributes);
    const taskStarted = at((e) => e.workflowTaskStartedEventAttributes);
    const taskCompleted = at((e) => e.workflowTaskCompletedEventAttributes);
    const activityStarted = at((e) => e.activityTaskStartedEventAttributes);
    counts.push(events.length);
    if (started === undefined || taskStarted === undefined || taskCompleted === undefined) continue;
    wait.push(taskStarted - started);
    run.push(taskCompleted - taskStarted);
    if (activityStarted !== undefined) activity.push(activityStarted - taskCompleted);
  }
  return {
    workflowTaskWaitMs: median(wait),
    workflowTaskRunMs: median(run),
    activityWaitMs: median(activity),
    historyEvents: median(counts),
    sampled: wait.length,
  };
}

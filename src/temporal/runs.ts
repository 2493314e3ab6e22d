import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import type { PlaybookInput } from '../contract/index.ts';
import { durationMs } from '../contract/durations.ts';

// Past playbook runs, read back from Temporal for `talon whatif` and `talon history`: visibility
// finds them, histories hold their inputs (decoded by the payload codec when one is configured).

export interface RunFilter {
  /** A duration back from now (`24h`). */
  readonly since?: string;
  readonly pod?: { readonly namespace: string; readonly pod: string };
  /** A Falco rule or a Talon rule name. */
  readonly rule?: string;
  /** A visibility query of your own, ANDed with the rest. */
  readonly query?: string;
}

/** A value inside a visibility query: refused rather than escaped when it could end the string. */
function quoted(value: string, what: string): string {
  if (/['"\\]/.test(value)) throw new Error(`${what} may not contain quotes or backslashes`);
  return `'${value}'`;
}

/** The visibility query of playbook runs matching the filter. */
export function runsQuery(filter: RunFilter, now = Date.now()): string {
  const parts = [`WorkflowType = 'playbook'`];
  if (filter.since !== undefined) {
    const ms = durationMs(filter.since);
    if (ms === undefined) throw new Error(`--since '${filter.since}' is not a duration (like 30m, 24h)`);
    parts.push(`StartTime > '${new Date(now - ms).toISOString()}'`);
  }
  if (filter.pod) parts.push(`K8sNamespace = ${quoted(filter.pod.namespace, '--pod')} AND K8sPod = ${quoted(filter.pod.pod, '--pod')}`);
  if (filter.rule !== undefined) parts.push(`(FalcoRule = ${quoted(filter.rule, '--rule')} OR TalonRules = ${quoted(filter.rule, '--rule')})`);
  if (filter.query) parts.push(`(${filter.query})`);
  return parts.join(' AND ');
}

export interface RunRef {
  readonly workflowId: string;
  readonly runId: string;
  readonly startTime: Date;
  readonly closeTime?: Date;
  readonly status: string;
}

/** Newest first, at most `limit`. */
export async function findRuns(client: Client, query: string, limit: number): Promise<RunRef[]> {
  const runs: RunRef[] = [];
  for await (const run of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    runs.push({ workflowId: run.workflowId, runId: run.runId, startTime: run.startTime, closeTime: run.closeTime, status: run.status.name });
    if (runs.length >= limit) break;
  }
  return runs;
}

/** The run's input: the first event of its history, decoded as the client decodes payloads. */
export async function runInput(client: Client, run: RunRef): Promise<PlaybookInput> {
  const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${run.workflowId}: no start event in its history`);
  return decodeFromPayloadsAtIndex<PlaybookInput>(client.options.loadedDataConverter, 0, started.input?.payloads);
}

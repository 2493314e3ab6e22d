import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import type { TalonConfig } from '../../config/schema.ts';
import type { ContainmentCommand } from '../../contract/index.ts';
import { durationMs } from '../../contract/durations.ts';
import { connectClient } from '../../temporal/connection.ts';
import { commandContainment, ControlError, decide, listContained, pause, pauseState, resume } from '../../temporal/controls.ts';
import type { CommandResult } from './result.ts';

// `talon approve|deny|extend|confirm|release|contained|pause|resume`: the human controls, as
// Temporal client calls (Updates and signals recorded in the workflows' histories with who and why).

export interface ControlOptions {
  /** Who decides: `--as`, else the login name. */
  readonly as?: string;
  readonly reason?: string;
  readonly json?: boolean;
}

const who = (options: ControlOptions) => options.as ?? process.env.TALON_USER ?? userInfo().username;

async function withClient(config: TalonConfig, run: (client: Client) => Promise<CommandResult>): Promise<CommandResult> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.embedded.port}`;
  const client = await connectClient(config.temporal, address, config.encryption.keys);
  try {
    return await run(client);
  } catch (error) {
    if (error instanceof ControlError) return { stdout: '', stderr: `${error.message}\n`, code: error.kind === 'not_found' ? 2 : 1 };
    throw error;
  } finally {
    await client.connection.close();
  }
}

const out = (value: unknown, text: string, json?: boolean): CommandResult => ({
  stdout: json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`,
  stderr: '',
  code: 0,
});

export function approveOrDeny(config: TalonConfig, decision: 'approve' | 'deny', workflowId: string, options: ControlOptions): Promise<CommandResult> {
  return withClient(config, async (client) => {
    const record = await decide(client, workflowId, { decision, approver: who(options), reason: options.reason ?? '' });
    return out(record, `${workflowId}: ${record.gate} ${decision === 'approve' ? 'approved' : 'denied'} by ${record.approver}`, options.json);
  });
}

export function containmentControl(
  config: TalonConfig,
  op: ContainmentCommand['op'],
  workflowId: string,
  options: ControlOptions & { duration?: string },
): Promise<CommandResult> {
  if (op === 'extend' && durationMs(options.duration) === undefined) {
    return Promise.resolve({ stdout: '', stderr: `'${options.duration ?? ''}' is not a duration (like 30m, 4h)\n`, code: 1 });
  }
  const base = { by: who(options), reason: options.reason ?? '' };
  const command: ContainmentCommand = op === 'extend' ? { op, ...base, duration: options.duration ?? '' } : { op, ...base };
  return withClient(config, async (client) => {
    const state = await commandContainment(client, workflowId, command);
    const text =
      op === 'extend' ? `${state.target}: held until ${state.until}` : `${state.target}: ${op === 'confirm' ? 'kept for good' : 'released, being undone'}`;
    return out(state, `${workflowId}: ${text}`, options.json);
  });
}

export function contained(config: TalonConfig, options: ControlOptions): Promise<CommandResult> {
  return withClient(config, async (client) => {
    const holds = await listContained(client);
    const lines = holds.map((h) => `${h.until?.toISOString() ?? '?'}  ${h.workflowId}  ${h.namespace}/${h.pod}  rule '${h.rule}'`);
    return out(holds, holds.length === 0 ? 'nothing is contained' : ['UNTIL                     WORKFLOW  POD  RULE', ...lines].join('\n'), options.json);
  });
}

export function pauseControl(config: TalonConfig, on: boolean, options: ControlOptions): Promise<CommandResult> {
  return withClient(config, async (client) => {
    if (on) {
      const state = await pause(client, config.temporal.task_queue, who(options), options.reason ?? '');
      return out(
        state,
        `destructive actions paused by ${state.by ?? '?'} since ${state.since?.toISOString() ?? '?'}${state.reason ? ` (${state.reason})` : ''}`,
        options.json,
      );
    }
    const resumed = await resume(client, config.temporal.task_queue, who(options), options.reason ?? '');
    const state = await pauseState(client, config.temporal.task_queue);
    return out({ resumed, ...state }, resumed ? 'destructive actions resumed' : 'destructive actions were not paused', options.json);
  });
}

import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Change, ContainmentCommand, ContainmentInput, ContainmentState, Report, UndoResult } from '../src/contract/index.ts';
import { CONTAINMENT_QUERY, CONTAINMENT_UPDATE, laneTaskQueue, UNDO_ACTIVITY } from '../src/contract/index.ts';
import { durationMs } from '../src/contract/durations.ts';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes.ts';
import { Notifications } from './notify.ts';
import { ACTION_HEARTBEAT_TIMEOUT } from './run-action.ts';

export const containmentUpdate = defineUpdate<ContainmentState, [ContainmentCommand]>(CONTAINMENT_UPDATE);
export const containmentQuery = defineQuery<ContainmentState>(CONTAINMENT_QUERY);

/** What the containment holds, as people read it: `pod prod/web-1`, `node n1`, `ciliumnetworkpolicy prod/web`. */
export function describeTarget(change: Change): string {
  switch (change.kind) {
    case 'metadata':
      return 'node' in change.target
        ? `${change.field} of node ${change.target.node}`
        : `${change.field} of pod ${change.target.namespace}/${change.target.pod}`;
    case 'cordon':
      return `cordon of node ${change.node}`;
    case 'policy':
      return `${change.actionner.split(':')[0]} network policy ${change.namespace}/${change.name}`;
  }
}

/**
 * Holds one time-boxed containment (`expire_after:`), started by the playbook as a child that
 * outlives it. Until the deadline it answers `talon extend|confirm|release` (an Update whose
 * validator refuses once it is over); at the deadline, or on release, it undoes exactly the change
 * the action recorded; confirmed, it keeps it for good. `TalonContainedUntil` says until when, so
 * `talon contained` lists holds from visibility alone.
 */
export async function containment(input: ContainmentInput): Promise<ContainmentState> {
  let until = Date.now() + (durationMs(input.expireAfter) ?? 0);
  let state: ContainmentState['state'] = 'holding';
  let undo: UndoResult | undefined;
  const history: { op: string; by: string; reason: string; at: string }[] = [];
  const target = describeTarget(input.change);
  const snapshot = (): ContainmentState => ({ state, until: new Date(until).toISOString(), target, history: [...history], ...(undo ? { undo } : {}) });
  const mark = () => upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.talonContainedUntil, value: new Date(until) }]);

  setHandler(containmentQuery, snapshot);
  setHandler(
    containmentUpdate,
    (command) => {
      history.push({ op: command.op, by: command.by, reason: command.reason, at: new Date(Date.now()).toISOString() });
      if (command.op === 'extend') until += durationMs(command.duration) ?? 0;
      else state = command.op === 'confirm' ? 'confirmed' : 'released';
      return snapshot();
    },
    {
      validator: (command: ContainmentCommand) => {
        if (state !== 'holding') throw new Error(`this containment is ${state}; nothing to ${command.op}`);
        if (typeof command.by !== 'string' || command.by.trim() === '') throw new Error('who decides must be named');
        if (command.op === 'extend' && durationMs(command.duration) === undefined) throw new Error(`'${command.duration}' is not a duration (like 30m, 4h)`);
        if (!['extend', 'confirm', 'release'].includes(command.op)) throw new Error(`unknown operation '${String(command.op)}'`);
      },
    },
  );
  mark();

  // Wake at the deadline, on confirm/release, and when extended (to move the deadline).
  for (;;) {
    const deadline = until;
    const woke = await condition(() => state !== 'holding' || until !== deadline, Math.max(1, deadline - Date.now()));
    if (!woke) {
      state = 'expired';
      break;
    }
    if (state !== 'holding') break;
    mark();
  }

  const notifications = new Notifications();
  const base: Omit<Report, 'status' | 'result'> = {
    message: 'containment',
    rule: input.rule,
    action: input.action,
    actionner: input.actionner,
    event: input.event.output,
    objects: {},
    traceId: input.traceId,
    ...(input.links ? { links: input.links } : {}),
  };
  const last = history.at(-1);
  // Set by the Update handler, which the compiler cannot see from the loop above.
  const ended = state as ContainmentState['state'];
  if (ended === 'confirmed') {
    notifications.notify(input.notifiers, {
      ...base,
      status: 'success',
      result: `${target}: kept for good (confirmed by ${last?.by ?? '?'}: ${last?.reason ?? ''})`,
    });
  } else {
    const why = ended === 'released' ? `released by ${last?.by ?? '?'}: ${last?.reason ?? ''}` : `expired after ${input.expireAfter}`;
    const activities = proxyActivities<Record<string, (change: Change) => Promise<UndoResult>>>({
      taskQueue: input.lane ? laneTaskQueue(workflowInfo().taskQueue, input.lane) : undefined,
      startToCloseTimeout: '1m',
      heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
      // Containment must come off: keep trying for a while, then report it loudly.
      retry: { maximumAttempts: 20, initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2, nonRetryableErrorTypes: ['NotUndoable'] },
    });
    try {
      undo = await activities[UNDO_ACTIVITY]!(input.change);
      state = 'undone';
      const skipped = undo.skipped?.length ? `; left alone (changed since): ${undo.skipped.join(', ')}` : '';
      notifications.notify(input.notifiers, { ...base, status: 'success', objects: undo.objects, result: `${target}: ${why}; ${undo.result}${skipped}` });
    } catch (error) {
      state = 'undo_failed';
      const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      notifications.notify(input.notifiers, { ...base, status: 'failure', result: `${target}: ${why}`, error: `could not undo: ${message}` });
    }
  }
  // Off the "contained now" list.
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.talonContainedUntil, value: null }]);
  await notifications.settled();
  return snapshot();
}

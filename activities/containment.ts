import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { ActionActivityInput, Change, UndoResult } from '../src/contract/index.ts';
import { keepAlive } from './activity-context.ts';
import { permanent, toFailure } from './errors.ts';
import { actionnerImplementations } from './implementations.ts';
import { actionInputOf, lazy, parseParameters } from './loading.ts';
import type { ActionnerImplementation, Deps } from './types.ts';

// The two steps of time-boxed containment (`expire_after:`) around an undoable action: read what it
// is about to change (before it runs), and later put exactly that back.

export type SnapshotActivity = (input: ActionActivityInput) => Promise<Change>;
export type UndoActivity = (change: Change) => Promise<UndoResult>;

/** One loader per actionner, as the action activities have (the module itself is loaded once). */
function loaders(): (name: string) => Promise<ActionnerImplementation> {
  const byName = new Map<string, () => Promise<ActionnerImplementation>>();
  return (name) => {
    let load = byName.get(name);
    if (!load) byName.set(name, (load = lazy(actionnerImplementations[name], name)));
    return load();
  };
}

/** The actionner whose `undo` puts a change back: the one that made it. */
function undoer(change: Change): string {
  switch (change.kind) {
    case 'metadata':
      return change.field === 'labels' ? 'kubernetes:label' : 'kubernetes:annotation';
    case 'cordon':
      return 'kubernetes:cordon';
    case 'policy':
      return change.actionner;
  }
}

/** Runs one containment step with heartbeats, its errors classified as an action's are. */
async function step<T>(what: 'snapshot' | 'undo', fields: Record<string, string>, deps: Deps, work: (deps: Deps) => Promise<T>): Promise<T> {
  const { attempt, workflowExecution } = Context.current().info;
  const log = deps.log.child({ workflowId: workflowExecution?.workflowId, ...fields, attempt });
  const stopHeartbeats = keepAlive();
  try {
    return await work({ ...deps, log });
  } catch (error) {
    // A cancellation is reported as one, not as a failure to retry.
    if (error instanceof CancelledFailure) throw error;
    const failure = toFailure(error, attempt);
    log.warn({ status: 'failure', error: failure.message, retryable: !failure.nonRetryable }, what);
    throw failure;
  } finally {
    stopHeartbeats();
  }
}

/**
 * `talon:snapshot`: the before-state of what the action is about to change, read by the
 * actionner's own `snapshot` with the action's parameters (parsed by its spec, as the action's are).
 */
export function snapshotActivity(deps: Deps): SnapshotActivity {
  const load = loaders();
  return (input) =>
    step('snapshot', { rule: input.rule, action: input.action, actionner: input.actionner }, deps, async (stepDeps) => {
      const actionner = await load(input.actionner);
      if (!actionner.snapshot) throw permanent('NotUndoable', `'${input.actionner}' cannot be undone, so it cannot be time-boxed (expire_after)`);
      const parameters = parseParameters(actionner.spec, input.parameters);
      const change = await actionner.snapshot(actionInputOf(input, parameters, Context.current().info.attempt), stepDeps);
      stepDeps.log.info({ status: 'success', change: change.kind }, 'snapshot');
      return change;
    });
}

/** `talon:undo`: puts back what a snapshot recorded, through the `undo` of the actionner that made the change. */
export function undoActivity(deps: Deps): UndoActivity {
  const load = loaders();
  return (change) => {
    const name = undoer(change);
    return step('undo', { actionner: name, change: change.kind }, deps, async (stepDeps) => {
      const actionner = await load(name);
      if (!actionner.undo) throw permanent('NotUndoable', `'${name}' cannot undo a '${change.kind}' change`);
      const result = await actionner.undo(change, stepDeps);
      stepDeps.log.info({ status: 'success', result: result.result, skipped: result.skipped }, 'undo');
      return result;
    });
  };
}

import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ActionActivity, NotifierActivity, NotifierSpec } from '../src/contract/index.ts';
import { notifierActivityName, SNAPSHOT_ACTIVITY, UNDO_ACTIVITY } from '../src/contract/index.ts';
import { keepAlive } from './activity-context.ts';
import { snapshotActivity, undoActivity, type SnapshotActivity, type UndoActivity } from './containment.ts';
import { withAdditionalContexts } from './contexts.ts';
import { crashAfterSideEffect } from './failpoint.ts';
import { permanent, toFailure } from './errors.ts';
import { actionnerImplementations, notifierImplementations } from './implementations.ts';
import { actionInputOf, lazy, parseParameters } from './loading.ts';
import { inlineOutput, storeOutput } from './output-stage.ts';
import { actionnerSpecs, notifierSpecs } from './specs.ts';
import type { ActionnerImplementation, ActionResult, Deps, NotifierImplementation } from './types.ts';

/** Wraps one actionner as a Temporal activity: parse, contexts, checks, run, output stage. */
export function actionActivity(implementation: () => Promise<ActionnerImplementation>, deps: Deps): ActionActivity {
  return async (input) => {
    const { attempt, workflowExecution } = Context.current().info;
    const log = deps.log.child({ workflowId: workflowExecution?.workflowId, rule: input.rule, action: input.action, actionner: input.actionner, attempt });
    let result: ActionResult | undefined;
    const stopHeartbeats = keepAlive();
    try {
      const actionner = await implementation();
      const parameters = parseParameters(actionner.spec, input.parameters);
      let actionInput = actionInputOf(input, parameters, attempt);
      if (actionner.spec.usesContext && input.additionalContexts.length > 0) {
        actionInput = { ...actionInput, context: await withAdditionalContexts(input.additionalContexts, actionInput, deps) };
      }
      await actionner.checks?.(actionInput, { ...deps, log });
      log.info({ status: 'in_progress' }, 'action');
      result = await actionner.run(actionInput, { ...deps, log });
      // A skipped action (`ignored`) produced nothing to store.
      const outputOutcome = result.status === 'success' ? await storeOutput(input, result, { ...deps, log }) : undefined;
      const output = outputOutcome ? undefined : await inlineOutput(result.artifact);
      crashAfterSideEffect(input.actionner, attempt);
      log.info({ status: result.status, result: result.result, output_target: outputOutcome?.target }, 'action');
      deps.metrics?.actions.inc({ rule: input.rule, action: input.action, actionner: input.actionner, status: result.status });
      return { status: result.status, result: result.result, objects: result.objects, output, outputOutcome, attempt };
    } catch (error) {
      // A cancellation is reported as one, not as a failure to retry.
      if (error instanceof CancelledFailure) throw error;
      const failure = toFailure(error, attempt);
      log.warn({ status: 'failure', error: failure.message, retryable: !failure.nonRetryable }, 'action');
      deps.metrics?.actions.inc({ rule: input.rule, action: input.action, actionner: input.actionner, status: 'failure' });
      throw failure;
    } finally {
      stopHeartbeats();
      // A streamed artifact not read to its end (a failed or skipped output stage, a thrown error)
      // would hold its connection or file open until a timeout.
      const body = result?.artifact?.body;
      if (body instanceof Readable && !body.readableEnded && !body.destroyed) body.destroy();
    }
  };
}

/** Wraps one notifier as a Temporal activity: its configuration parsed, then send. */
export function notifierActivity(spec: NotifierSpec, implementation: () => Promise<NotifierImplementation>, deps: Deps): NotifierActivity {
  return async (report) => {
    const raw = deps.config.notifiers[spec.name];
    const parsed = spec.config.safeParse(raw ?? {});
    if (!raw && !parsed.success) throw permanent('NotifierNotConfigured', `notifier '${spec.name}' has no configuration (notifiers.${spec.name})`);
    if (!parsed.success) throw permanent('NotifierMisconfigured', z.prettifyError(parsed.error).replaceAll('\n', '; '));
    const stopHeartbeats = keepAlive();
    try {
      await (await implementation()).send(report, parsed.data, deps);
      crashAfterSideEffect(notifierActivityName(spec.name), Context.current().info.attempt);
      deps.log.info({ notifier: spec.name, stage: report.message, rule: report.rule, action: report.action, status: 'success' }, 'notification');
      deps.metrics?.notifications.inc({ notifier: spec.name, status: 'success' });
    } catch (error) {
      deps.metrics?.notifications.inc({ notifier: spec.name, status: 'failure' });
      throw toFailure(error, Context.current().info.attempt);
    } finally {
      stopHeartbeats();
    }
  };
}

/**
 * Every activity the worker registers, keyed by activity type: actionner names,
 * `notifier:<name>`, and the containment steps (`talon:snapshot`, `talon:undo`). Registered from
 * the specs; each implementation loads on its first call.
 */
export function createActivities(deps: Deps): Record<string, ActionActivity | NotifierActivity | SnapshotActivity | UndoActivity> {
  const activities: Record<string, ActionActivity | NotifierActivity | SnapshotActivity | UndoActivity> = {};
  for (const spec of actionnerSpecs) activities[spec.name] = actionActivity(lazy(actionnerImplementations[spec.name], spec.name), deps);
  for (const spec of notifierSpecs)
    activities[notifierActivityName(spec.name)] = notifierActivity(spec, lazy(notifierImplementations[spec.name], spec.name), deps);
  activities[SNAPSHOT_ACTIVITY] = snapshotActivity(deps);
  activities[UNDO_ACTIVITY] = undoActivity(deps);
  return activities;
}

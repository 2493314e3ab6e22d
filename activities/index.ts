import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { ActionActivityInput, ActionActivityResult } from '../workflows/types.ts';
import { withAdditionalContexts } from './contexts.ts';
import { permanent, toFailure } from './errors.ts';
import { inlineOutput, storeOutput } from './output-stage.ts';
import { actionners, notifiers } from './registry.ts';
import type { ActionnerDescriptor, ActionResult, Deps, NotifierDescriptor, Report } from './types.ts';

export type ActionActivity = (input: ActionActivityInput) => Promise<ActionActivityResult>;
export type NotifierActivity = (report: Report) => Promise<void>;

/** Activity type of a notifier: `notifier:<name>`. */
export function notifierActivityName(name: string): string {
  return `notifier:${name}`;
}

function parseParameters(descriptor: ActionnerDescriptor, raw: unknown): unknown {
  const parsed = descriptor.params.safeParse(raw);
  if (!parsed.success) throw permanent('InvalidParameters', z.prettifyError(parsed.error).replaceAll('\n', '; '));
  return parsed.data;
}

/** Wraps one actionner as a Temporal activity: parse, checks, run, output stage. */
function actionActivity(descriptor: ActionnerDescriptor, deps: Deps): ActionActivity {
  return async (input) => {
    const { attempt, workflowExecution } = Context.current().info;
    const log = deps.log.child({ workflowId: workflowExecution?.workflowId, rule: input.rule, action: input.action, actionner: input.actionner, attempt });
    let result: ActionResult | undefined;
    try {
      const parameters = parseParameters(descriptor, input.parameters);
      let actionInput = { event: input.event, context: input.context, parameters, rule: input.rule, action: input.action, idempotencyKey: input.idempotencyKey, attempt };
      if (descriptor.usesContext && input.additionalContexts.length > 0) {
        actionInput = { ...actionInput, context: await withAdditionalContexts(input.additionalContexts, actionInput, deps) };
      }
      await descriptor.checks?.(actionInput, { ...deps, log });
      log.info({ status: 'in_progress' }, 'action');
      result = await descriptor.run(actionInput, { ...deps, log });
      // A skipped action (`ignored`) produced nothing to store.
      const outputOutcome = result.status === 'success' ? await storeOutput(input, result, { ...deps, log }) : undefined;
      const output = outputOutcome ? undefined : await inlineOutput(result.artifact);
      log.info({ status: result.status, result: result.result, output_target: outputOutcome?.target }, 'action');
      deps.metrics?.actions.inc({ rule: input.rule, action: input.action, actionner: input.actionner, status: result.status });
      return { status: result.status, result: result.result, objects: result.objects, output, outputOutcome, attempt };
    } catch (error) {
      const failure = toFailure(error, attempt);
      log.warn({ status: 'failure', error: failure.message, retryable: !failure.nonRetryable }, 'action');
      deps.metrics?.actions.inc({ rule: input.rule, action: input.action, actionner: input.actionner, status: 'failure' });
      throw failure;
    } finally {
      // A streamed artifact not read to its end (a failed or skipped output stage, a thrown error)
      // would hold its connection or file open until a timeout.
      const body = result?.artifact?.body;
      if (body instanceof Readable && !body.readableEnded && !body.destroyed) body.destroy();
    }
  };
}

function notifierActivity(descriptor: NotifierDescriptor, deps: Deps): NotifierActivity {
  return async (report) => {
    const raw = deps.config.notifiers[descriptor.name];
    const parsed = descriptor.config.safeParse(raw ?? {});
    if (!raw && !parsed.success) throw permanent('NotifierNotConfigured', `notifier '${descriptor.name}' has no configuration (notifiers.${descriptor.name})`);
    if (!parsed.success) throw permanent('NotifierMisconfigured', z.prettifyError(parsed.error).replaceAll('\n', '; '));
    try {
      await descriptor.send(report, parsed.data, deps);
      deps.log.info({ notifier: descriptor.name, stage: report.message, rule: report.rule, action: report.action, status: 'success' }, 'notification');
      deps.metrics?.notifications.inc({ notifier: descriptor.name, status: 'success' });
    } catch (error) {
      deps.metrics?.notifications.inc({ notifier: descriptor.name, status: 'failure' });
      throw toFailure(error, Context.current().info.attempt);
    }
  };
}

/** Every activity the worker registers, keyed by activity type: actionner names and `notifier:<name>`. */
export function createActivities(deps: Deps): Record<string, ActionActivity | NotifierActivity> {
  const activities: Record<string, ActionActivity | NotifierActivity> = {};
  for (const descriptor of actionners) activities[descriptor.name] = actionActivity(descriptor, deps);
  for (const descriptor of notifiers) activities[notifierActivityName(descriptor.name)] = notifierActivity(descriptor, deps);
  return activities;
}

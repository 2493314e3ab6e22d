import { defineQuery, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes.ts';
import { Notifications } from './notify.ts';
import { runAction } from './run-action.ts';
import type {
  ActionActivityResult,
  ActionReport,
  Outcome,
  PlannedAction,
  PlannedRule,
  PlaybookInput,
  PlaybookReport,
  Progress,
  Report,
  RuleReport,
} from '../src/contract/index.ts';

export const progressQuery = defineQuery<Progress>('progress');

function dryRunReport(action: PlannedAction): ActionReport {
  return {
    action: action.name,
    actionner: action.actionner,
    status: 'dry_run',
    attempts: 0,
    durationMs: 0,
    result: 'no action, dry-run is enabled',
    objects: {},
  };
}

/** The notifications for one action (reference §4.7): the action report, then the output report. */
function reportsFor(input: PlaybookInput, rule: PlannedRule, report: ActionReport, result?: ActionActivityResult): Report[] {
  // Without a caller-supplied trace ID, the workflow ID: it finds the run in the Temporal UI and CLI.
  const common = { rule: rule.name, action: report.action, traceId: input.traceId ?? workflowInfo().workflowId };
  const action: Report = {
    ...common,
    message: 'action',
    status: result ? result.status : 'failure',
    actionner: report.actionner,
    event: input.event.output,
    objects: result ? result.objects : report.objects,
    error: result ? undefined : report.error,
    result: result?.result,
    output: result?.output,
  };
  const outcome = result?.outputOutcome;
  if (!outcome) return [action];
  const output: Report = {
    ...common,
    message: 'output',
    status: outcome.status,
    outputTarget: outcome.target,
    category: outcome.target.split(':')[0],
    objects: outcome.objects,
    result: outcome.result,
    output: outcome.result,
    error: outcome.error,
    artifact: outcome.artifact,
  };
  return [action, output];
}

function outcomeOf(input: PlaybookInput, rules: readonly RuleReport[]): Outcome {
  if (input.rules.every((rule) => rule.dryRun)) return 'dry_run';
  const failed = rules.some((rule) => rule.actions.some((a) => a.status === 'failure' && !a.errorIgnored));
  return failed ? 'failed' : 'succeeded';
}

/**
 * One Falco alert's response: the matched rules' actions in order (reference §4.4–4.7), each an
 * activity; notifications after each action and output; then the deduplication window.
 */
export async function playbook(input: PlaybookInput): Promise<PlaybookReport> {
  const startedAt = workflowInfo().startTime.getTime();
  const notifications = new Notifications();
  const rules: RuleReport[] = [];
  let phase: Progress['phase'] = 'running';
  let current: Progress['current'];
  setHandler(progressQuery, () => ({ phase, current, rules: JSON.parse(JSON.stringify(rules)) as RuleReport[] }));

  let index = 0;
  for (const rule of input.rules) {
    const actions: ActionReport[] = [];
    rules.push({ rule: rule.name, dryRun: rule.dryRun === true, actions });
    for (const action of rule.actions) {
      current = { rule: rule.name, action: action.name };
      const key = `${workflowInfo().workflowId}/${index++}`;
      if (rule.dryRun) {
        actions.push(dryRunReport(action));
      } else {
        const { report, result } = await runAction(input.event, rule, action, key);
        const ignored = report.status === 'failure' && action.effectiveIgnoreErrors;
        actions.push(ignored ? { ...report, errorIgnored: true } : report);
        for (const r of reportsFor(input, rule, report, result)) notifications.notify(rule.notifiers, r);
        if (report.status === 'failure' && !ignored) break;
      }
      if (!action.effectiveContinue) break;
    }
  }
  current = undefined;

  phase = 'notifying';
  await notifications.settled();
  const outcome = outcomeOf(input, rules);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.talonOutcome, value: outcome }]);

  // Stay open for the deduplication window: while this run is open, the same alert is a duplicate.
  phase = 'dedup-window';
  const remaining = input.dedupWindowSeconds * 1000 - (Date.now() - startedAt);
  if (remaining > 0) await sleep(remaining);
  phase = 'done';
  return { outcome, rules, notifications: notifications.records };
}

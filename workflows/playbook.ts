import {
  defineQuery,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { containmentWorkflowId, GOVERNOR_ACTIVITY, laneTaskQueue, SNAPSHOT_ACTIVITY } from '../src/contract/index.ts';
import { hostname, namespace } from '../src/events/fields.ts';
import { durationMs } from '../src/contract/durations.ts';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes.ts';
import { ApprovalGates } from './approval.ts';
import { containment } from './containment.ts';
import { Notifications } from './notify.ts';
import { ACTION_HEARTBEAT_TIMEOUT, runAction } from './run-action.ts';
import type {
  ActionActivityInput,
  ActionActivityResult,
  ActionReport,
  ApprovalPolicy,
  Change,
  DecisionRecord,
  GovernorRequest,
  GovernorVerdict,
  Outcome,
  PlannedAction,
  PlannedRule,
  PlaybookInput,
  PlaybookReport,
  Progress,
  Report,
  RuleReport,
} from '../src/contract/index.ts';
import { talonContext } from './context.ts';

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

/** An action that did not run: denied by an approver (or the timeout), or held by the governor. */
function heldReport(action: PlannedAction, status: 'denied' | 'over_budget', result: string, approval?: DecisionRecord): ActionReport {
  return { action: action.name, actionner: action.actionner, status, attempts: 0, durationMs: 0, result, objects: {}, ...(approval ? { approval } : {}) };
}

const decisionText = (d: DecisionRecord) => `${d.decision === 'approve' ? 'approved' : 'denied'} by ${d.approver}${d.reason ? `: ${d.reason}` : ''}`;

/**
 * One Falco alert's response: the matched rules' actions in order (reference §4.4–4.7), each an
 * activity; notifications after each action and output; then the deduplication window. Extensions
 * (a Talon rule file without them runs as before): approval gates on rules and actions, the
 * blast-radius governor on destructive actions, and time-boxed containment (`expire_after:`) held
 * by a child workflow that outlives this one.
 */
export async function playbook(input: PlaybookInput): Promise<PlaybookReport> {
  const startedAt = workflowInfo().startTime.getTime();
  const notifications = new Notifications();
  const gates = new ApprovalGates();
  const rules: RuleReport[] = [];
  let phase: Progress['phase'] = 'running';
  let current: Progress['current'];
  setHandler(progressQuery, () => ({ phase, current, rules: JSON.parse(JSON.stringify(rules)) as RuleReport[] }));
  const traceId = input.traceId ?? workflowInfo().workflowId;
  const report = (rule: PlannedRule, fields: Omit<Report, 'rule' | 'traceId' | 'event' | 'objects'> & { objects?: Report['objects'] }) =>
    notifications.notify(rule.notifiers, {
      rule: rule.name,
      traceId,
      event: input.event.output,
      objects: {},
      ...(input.links ? { links: input.links } : {}),
      ...fields,
    });

  /** Asks, notifying the request and the decision; the decision is also in history (the Update). */
  const ask = async (rule: PlannedRule, gate: string, policy: ApprovalPolicy, action?: PlannedAction): Promise<DecisionRecord> => {
    const who = policy.approvers.length > 0 ? policy.approvers.join(', ') : 'any approver';
    const names = action ? { action: action.name, actionner: action.actionner } : {};
    phase = 'awaiting-approval';
    report(rule, {
      message: 'approval',
      status: 'pending',
      ...names,
      result: `approval requested for ${gate} from ${who}; ${policy.default} after ${policy.timeout}`,
    });
    const decision = await gates.ask(gate, policy);
    phase = 'running';
    report(rule, {
      message: 'approval',
      status: decision.decision === 'approve' ? 'success' : 'ignored',
      ...names,
      result: `${gate}: ${decisionText(decision)}`,
    });
    return decision;
  };

  const governor = input.governor;
  const checkBudget = proxyLocalActivities<Record<string, (request: GovernorRequest) => Promise<GovernorVerdict>>>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 10, initialInterval: '200ms', maximumInterval: '5s' },
  })[GOVERNOR_ACTIVITY]!;

  /** Undefined when the action may run; else the report of why it does not. */
  const hold = async (rule: PlannedRule, action: PlannedAction, key: string): Promise<{ held?: ActionReport; approval?: DecisionRecord }> => {
    let approval: DecisionRecord | undefined;
    if (action.approval) {
      approval = await ask(rule, `action '${action.name}' of rule '${rule.name}'`, action.approval, action);
      if (approval.decision === 'deny') return { held: heldReport(action, 'denied', decisionText(approval), approval) };
    }
    if (action.destructive && governor) {
      const request: GovernorRequest = {
        key,
        limits: governor.limits,
        namespace: namespace(input.event) || undefined,
        node: hostname(input.event) || undefined,
      };
      const verdict = await checkBudget(request);
      if (!verdict.granted) {
        const reason = verdict.reason ?? 'over budget';
        if (governor.overBudget === 'approval') {
          const decision = await ask(rule, `action '${action.name}' of rule '${rule.name}' (${reason})`, governor.approval, action);
          if (decision.decision === 'deny') return { held: heldReport(action, 'over_budget', `${reason}; ${decisionText(decision)}`, decision) };
          return { approval: decision };
        }
        report(rule, {
          message: 'governor',
          status: 'ignored',
          action: action.name,
          actionner: action.actionner,
          result: `not run: ${reason}; reported as a dry run`,
        });
        return { held: heldReport(action, 'over_budget', `not run (dry run): ${reason}`, approval) };
      }
    }
    return { approval };
  };

  // The run's current details in the Temporal UI: each action's status as it goes.
  const icon: Record<string, string> = { success: '✅', failure: '❌', ignored: '➖', dry_run: '🧪', denied: '⛔', over_budget: '🛑' };
  const showProgress = () =>
    setCurrentDetails(
      [
        `**${phase}**${current ? `: ${current.action || current.rule}` : ''}`,
        ...rules.flatMap((r) => [
          `**${r.rule}**`,
          ...r.actions.map((a) => `- ${icon[a.status] ?? ''} ${a.action} (\`${a.actionner}\`): ${a.status}${a.result ? ` — ${a.result}` : ''}`),
        ]),
      ].join('\n'),
    );

  let index = 0;
  for (const rule of input.rules) {
    const actions: ActionReport[] = [];
    const ruleReport: { -readonly [K in keyof RuleReport]: RuleReport[K] } = { rule: rule.name, dryRun: rule.dryRun === true, actions };
    rules.push(ruleReport);
    if (!rule.dryRun && rule.approval) {
      current = { rule: rule.name, action: '' };
      const decision = await ask(rule, `rule '${rule.name}'`, rule.approval);
      ruleReport.approval = decision;
      if (decision.decision === 'deny') {
        for (const action of rule.actions) actions.push(heldReport(action, 'denied', decisionText(decision), decision));
        index += rule.actions.length;
        continue;
      }
    }
    for (const action of rule.actions) {
      current = { rule: rule.name, action: action.name };
      showProgress();
      const actionIndex = index++;
      const key = `${workflowInfo().workflowId}/${actionIndex}`;
      if (rule.dryRun) {
        actions.push(dryRunReport(action));
      } else {
        const { held, approval } = await hold(rule, action, key);
        if (held) {
          actions.push(held);
          if (!action.effectiveContinue) break;
          continue;
        }
        const change = action.expireAfter ? await snapshot(input, rule, action, key) : undefined;
        if (change && 'failure' in change) {
          actions.push(change.failure);
          for (const r of reportsFor(input, rule, change.failure)) notifications.notify(rule.notifiers, r);
          if (!action.effectiveIgnoreErrors) break;
          continue;
        }
        const ran = await runAction(input.event, rule, action, key);
        let actionReport: ActionReport = approval ? { ...ran.report, approval } : ran.report;
        if (change && ran.report.status === 'success')
          actionReport = { ...actionReport, containment: await contain(input, rule, action, actionIndex, change.change) };
        const ignored = actionReport.status === 'failure' && action.effectiveIgnoreErrors;
        actions.push(ignored ? { ...actionReport, errorIgnored: true } : actionReport);
        for (const r of reportsFor(input, rule, actionReport, ran.result)) notifications.notify(rule.notifiers, r);
        if (actionReport.status === 'failure' && !ignored) break;
      }
      if (!action.effectiveContinue) break;
    }
  }
  current = undefined;

  phase = 'notifying';
  showProgress();
  await notifications.settled();
  const outcome = outcomeOf(input, rules);
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.talonOutcome, value: outcome }]);

  // Stay open for the deduplication window: while this run is open, the same alert is a duplicate.
  phase = 'dedup-window';
  const remaining = input.dedupWindowSeconds * 1000 - (Date.now() - startedAt);
  if (remaining > 0) await sleep(remaining);
  phase = 'done';
  showProgress();
  return { outcome, rules, notifications: notifications.records, approvals: gates.records };
}

/**
 * The before-state of what the action will change (`talon:snapshot`, in the action's lane), read
 * before it runs; without it the change could not be undone, so the action does not run.
 */
async function snapshot(input: PlaybookInput, rule: PlannedRule, action: PlannedAction, key: string): Promise<{ change: Change } | { failure: ActionReport }> {
  const read = proxyActivities<Record<string, (i: ActionActivityInput) => Promise<Change>>>({
    taskQueue: action.lane ? laneTaskQueue(workflowInfo().taskQueue, action.lane) : undefined,
    startToCloseTimeout: '1m',
    heartbeatTimeout: ACTION_HEARTBEAT_TIMEOUT,
    retry: { ...action.retry, nonRetryableErrorTypes: ['InvalidParameters', 'NotUndoable'] },
  })[SNAPSHOT_ACTIVITY]!;
  const started = Date.now();
  try {
    const change = await read({
      event: input.event,
      context: talonContext(rule, action),
      rule: rule.name,
      action: action.name,
      actionner: action.actionner,
      parameters: action.parameters,
      additionalContexts: [],
      outputMode: 'none',
      idempotencyKey: key,
    });
    return { change };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    return {
      failure: {
        action: action.name,
        actionner: action.actionner,
        status: 'failure',
        attempts: 1,
        durationMs: Date.now() - started,
        objects: {},
        error: `could not read what expire_after would restore, so the action did not run: ${message}`,
        errorType: 'SnapshotFailed',
      },
    };
  }
}

/** Starts the child that holds the containment and undoes it; it outlives this playbook. */
async function contain(input: PlaybookInput, rule: PlannedRule, action: PlannedAction, actionIndex: number, change: Change) {
  const info = workflowInfo();
  // The run ID keeps a later run of the same alert (after the dedup window) from colliding.
  const workflowId = containmentWorkflowId(`${info.workflowId}/${info.runId.slice(0, 8)}`, actionIndex);
  await startChild(containment, {
    workflowId,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: info.typedSearchAttributes,
    args: [
      {
        playbookId: info.workflowId,
        rule: rule.name,
        action: action.name,
        actionner: action.actionner,
        lane: action.lane,
        change,
        expireAfter: action.expireAfter ?? '0s',
        notifiers: rule.notifiers,
        event: { output: input.event.output, rule: input.event.rule },
        traceId: input.traceId ?? info.workflowId,
        ...(input.links ? { links: input.links } : {}),
      },
    ],
  });
  return { workflowId, until: new Date(Date.now() + (durationMs(action.expireAfter) ?? 0)).toISOString() };
}

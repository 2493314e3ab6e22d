import type { SearchAttributePair } from '@temporalio/common';
import type { FalcoEvent, GovernorPolicy, PlannedRule, PlaybookInput, RunLinks } from '../contract/index.ts';
import { workflowIdFor } from '../events/id.ts';
import { startSearchAttributes } from '../ingest/search-attributes.ts';
import { rulesToRun, type RuleSet, type RuleSpec } from '../rules/index.ts';
import { planRules, type ActionnerLookup } from './build.ts';
import { runSummary } from './summary.ts';

/** How an event becomes a workflow: what ingest starts and `rules match` prints. */
export interface Plan {
  readonly workflowId: string;
  readonly input: PlaybookInput;
  readonly searchAttributes: SearchAttributePair[];
  /** Every rule that matched, including those a `continue: false` before them cut (for metrics). */
  readonly matched: readonly RuleSpec[];
}

export interface PlanSettings {
  readonly defaultNotifiers: readonly string[];
  readonly dedupWindowSeconds: number;
  readonly lookup?: ActionnerLookup;
  /** Hostname, namespace and pod in search attributes. @default true */
  readonly identifiersInSearchAttributes?: boolean;
  /** The blast-radius governor: which actionners are destructive, and the policy they follow. */
  readonly governor?: GovernorPolicy & { readonly destructive: readonly string[] };
  /** Bases of the links notifications carry. */
  readonly links?: { readonly uiBaseUrl?: string; readonly publicUrl?: string; readonly namespace: string };
}

/** The run's page in the Temporal UI and its approval endpoint; the workflow ID is a path segment. */
function linksFor(workflowId: string, rules: readonly PlannedRule[], settings: PlanSettings): RunLinks | undefined {
  const base = settings.links;
  if (!base) return undefined;
  const id = encodeURIComponent(workflowId);
  const mayAsk =
    rules.some((r) => r.approval || r.actions.some((a) => a.approval)) ||
    (settings.governor?.overBudget === 'approval' && rules.some((r) => r.actions.some((a) => a.destructive)));
  const links: RunLinks = {
    ...(base.uiBaseUrl ? { run: `${base.uiBaseUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(base.namespace)}/workflows/${id}` } : {}),
    ...(base.publicUrl && mayAsk ? { approve: `${base.publicUrl.replace(/\/$/, '')}/approvals/${id}` } : {}),
  };
  return Object.keys(links).length > 0 ? links : undefined;
}

/**
 * The one planner: matches the event against the rule set, keeps the rules that run (rule-level
 * `continue: false` applied here, once), resolves every action, and names the workflow. Undefined
 * when no rule matches: nothing starts.
 */
export function planEvent(event: FalcoEvent, ruleSet: RuleSet, settings: PlanSettings): Plan | undefined {
  const matched = ruleSet.match(event);
  if (matched.length === 0) return undefined;
  const governor = settings.governor;
  const rules = planRules(rulesToRun(matched), settings.defaultNotifiers, settings.lookup, governor?.destructive);
  const workflowId = workflowIdFor(event);
  const destructive = rules.some((r) => r.actions.some((a) => a.destructive));
  const links = linksFor(workflowId, rules, settings);
  const identifiers = settings.identifiersInSearchAttributes ?? true;
  return {
    workflowId,
    input: {
      event,
      rules,
      dedupWindowSeconds: settings.dedupWindowSeconds,
      ...(governor && destructive ? { governor: { limits: governor.limits, overBudget: governor.overBudget, approval: governor.approval } } : {}),
      ...(links ? { links } : {}),
    },
    searchAttributes: startSearchAttributes(event, rules, identifiers, runSummary({ event, rules, dedupWindowSeconds: 0 }, identifiers)),
    matched,
  };
}

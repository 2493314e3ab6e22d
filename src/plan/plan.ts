import type { SearchAttributePair } from '@temporalio/common';
import type { FalcoEvent, PlaybookInput } from '../contract/index.ts';
import { workflowIdFor } from '../events/id.ts';
import { startSearchAttributes } from '../ingest/search-attributes.ts';
import { rulesToRun, type RuleSet, type RuleSpec } from '../rules/index.ts';
import { planRules, type ActionnerLookup } from './build.ts';

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
}

/**
 * The one planner: matches the event against the rule set, keeps the rules that run (rule-level
 * `continue: false` applied here, once), resolves every action, and names the workflow. Undefined
 * when no rule matches: nothing starts.
 */
export function planEvent(event: FalcoEvent, ruleSet: RuleSet, settings: PlanSettings): Plan | undefined {
  const matched = ruleSet.match(event);
  if (matched.length === 0) return undefined;
  const rules = planRules(rulesToRun(matched), settings.defaultNotifiers, settings.lookup);
  return {
    workflowId: workflowIdFor(event),
    input: { event, rules, dedupWindowSeconds: settings.dedupWindowSeconds },
    searchAttributes: startSearchAttributes(event, rules, settings.identifiersInSearchAttributes ?? true),
    matched,
  };
}

import { findActionner } from '../../activities/specs.ts';
import type { ActionnerSpec, PlannedAction, PlannedRetry, PlannedRule } from '../contract/index.ts';
import type { ActionSpec, RetrySpec, RuleSpec } from '../rules/types.ts';

/** Retry policy of an action without `retry:`: quick first retries, bounded total effort. */
export const DEFAULT_RETRY: PlannedRetry = { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 };

/** The rule file's `retry:` over the actionner's, over the defaults, in Temporal's names. */
function retryPolicy(retry: RetrySpec | undefined, actionner: Partial<PlannedRetry> | undefined): PlannedRetry {
  const base = { ...DEFAULT_RETRY, ...actionner };
  return {
    maximumAttempts: retry?.maxAttempts ?? base.maximumAttempts,
    initialInterval: retry?.initialInterval ?? base.initialInterval,
    maximumInterval: retry?.maxInterval ?? base.maximumInterval,
    backoffCoefficient: retry?.backoffCoefficient ?? base.backoffCoefficient,
  };
}

/** What planning needs of an actionner: its defaults. */
export type ActionnerLookup = (
  name: string,
) => Pick<ActionnerSpec, 'defaultContinue' | 'needsOutput' | 'allowsOutput' | 'timeout' | 'retry' | 'lane' | 'category'> | undefined;

function planAction(action: ActionSpec, lookup: ActionnerLookup, destructive: ReadonlySet<string>): PlannedAction {
  const spec = lookup(action.actionner);
  // Rules are validated against the registry before they are planned; this guards misuse.
  if (!spec) throw new Error(`unknown actionner '${action.actionner}'`);
  return {
    name: action.name,
    actionner: action.actionner,
    parameters: action.parameters,
    continue: action.continue,
    ignoreErrors: action.ignoreErrors,
    effectiveContinue: action.continue ?? spec.defaultContinue,
    effectiveIgnoreErrors: action.ignoreErrors ?? false,
    additionalContexts: action.additionalContexts,
    outputMode: spec.needsOutput ? 'required' : spec.allowsOutput ? 'allowed' : 'none',
    output: action.output,
    retry: retryPolicy(action.retry, spec.retry),
    timeout: action.timeout ?? spec.timeout,
    lane: spec.lane ?? spec.category,
    ...(action.approval ? { approval: action.approval } : {}),
    ...(action.expireAfter ? { expireAfter: action.expireAfter } : {}),
    ...(destructive.has(action.actionner) ? { destructive: true } : {}),
    ...(action.local ? { local: true } : {}),
  };
}

/**
 * Resolves matched rules into the workflow's snapshot: every flag decided in one place (the rule's
 * value, else the actionner's default), notifiers = `default_notifiers` ∪ the rule's.
 */
export function planRules(
  rules: readonly RuleSpec[],
  defaultNotifiers: readonly string[],
  lookup: ActionnerLookup = findActionner,
  destructive: readonly string[] = [],
): PlannedRule[] {
  const destructiveSet = new Set(destructive);
  return rules.map((rule) => ({
    name: rule.name,
    continue: rule.continue,
    dryRun: rule.dryRun,
    ...(rule.approval ? { approval: rule.approval } : {}),
    notifiers: [...new Set([...defaultNotifiers, ...rule.notifiers])],
    actions: rule.actions.map((action) => planAction(action, lookup, destructiveSet)),
  }));
}

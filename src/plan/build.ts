import { findActionner } from '../../activities/registry.ts';
import type { ActionnerDescriptor } from '../../activities/types.ts';
import type { ActionSpec, RetrySpec, RuleSpec } from '../rules/types.ts';
import type { PlannedAction, PlannedRetry, PlannedRule } from '../../workflows/types.ts';

/** Retry policy of an action without `retry:`: quick first retries, bounded total effort. */
export const DEFAULT_RETRY: PlannedRetry = { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 };

/** The rule file's `retry:` over the defaults, in Temporal's names. */
function retryPolicy(retry: RetrySpec | undefined): PlannedRetry {
  return {
    maximumAttempts: retry?.maxAttempts ?? DEFAULT_RETRY.maximumAttempts,
    initialInterval: retry?.initialInterval ?? DEFAULT_RETRY.initialInterval,
    maximumInterval: retry?.maxInterval ?? DEFAULT_RETRY.maximumInterval,
    backoffCoefficient: retry?.backoffCoefficient ?? DEFAULT_RETRY.backoffCoefficient,
  };
}

/** What planning needs of an actionner: its defaults. */
export type ActionnerLookup = (name: string) => Pick<ActionnerDescriptor, 'defaultContinue' | 'needsOutput' | 'allowsOutput' | 'timeout'> | undefined;

function planAction(action: ActionSpec, lookup: ActionnerLookup): PlannedAction {
  const descriptor = lookup(action.actionner);
  // Rules are validated against the registry before they are planned; this guards misuse.
  if (!descriptor) throw new Error(`unknown actionner '${action.actionner}'`);
  return {
    name: action.name,
    actionner: action.actionner,
    parameters: action.parameters,
    continue: action.continue,
    ignoreErrors: action.ignoreErrors,
    effectiveContinue: action.continue ?? descriptor.defaultContinue,
    effectiveIgnoreErrors: action.ignoreErrors ?? false,
    additionalContexts: action.additionalContexts,
    outputMode: descriptor.needsOutput ? 'required' : descriptor.allowsOutput ? 'allowed' : 'none',
    output: action.output,
    retry: retryPolicy(action.retry),
    timeout: action.timeout ?? descriptor.timeout,
  };
}

/**
 * Resolves matched rules into the workflow's snapshot: every flag decided in one place (the rule's
 * value, else the actionner's default), notifiers = `default_notifiers` ∪ the rule's.
 */
export function planRules(rules: readonly RuleSpec[], defaultNotifiers: readonly string[], lookup: ActionnerLookup = findActionner): PlannedRule[] {
  return rules.map((rule) => ({
    name: rule.name,
    continue: rule.continue,
    dryRun: rule.dryRun,
    notifiers: [...new Set([...defaultNotifiers, ...rule.notifiers])],
    actions: rule.actions.map((action) => planAction(action, lookup)),
  }));
}

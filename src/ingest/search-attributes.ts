import type { SearchAttributePair } from '@temporalio/common';
import { namespace, podName } from '../events/fields.ts';
import type { FalcoEvent, PlannedRule } from '../contract/index.ts';
import { SEARCH_ATTRIBUTES as SA } from '../temporal/search-attributes.ts';

/** The search attributes a playbook starts with; the workflow adds `TalonOutcome` when it ends. */
export function startSearchAttributes(event: FalcoEvent, rules: readonly PlannedRule[]): SearchAttributePair[] {
  const actionners = [...new Set(rules.flatMap((rule) => rule.actions.map((a) => a.actionner)))];
  const pairs: SearchAttributePair[] = [
    { key: SA.falcoRule, value: event.rule },
    { key: SA.falcoPriority, value: event.priority },
    { key: SA.falcoSource, value: event.source },
    { key: SA.talonRules, value: rules.map((rule) => rule.name) },
    { key: SA.talonActionners, value: actionners },
    { key: SA.talonDryRun, value: rules.every((rule) => rule.dryRun === true) },
  ];
  // Empty keywords would only clutter the UI's filters.
  if (event.hostname) pairs.push({ key: SA.falcoHostname, value: event.hostname });
  if (namespace(event)) pairs.push({ key: SA.k8sNamespace, value: namespace(event) });
  if (podName(event)) pairs.push({ key: SA.k8sPod, value: podName(event) });
  return pairs;
}

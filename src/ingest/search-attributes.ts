import type { SearchAttributePair } from '@temporalio/common';
import { namespace, podName } from '../events/fields.ts';
import type { FalcoEvent, PlannedRule } from '../contract/index.ts';
import { SEARCH_ATTRIBUTES as SA } from '../temporal/search-attributes.ts';
import { clip } from './clip.ts';

/**
 * Longest keyword value kept whole. Temporal refuses a start whose keyword is over its limit (2 KiB
 * by default), and an alert value (a pod name, a hostname) must not be able to cause that.
 */
export const MAX_KEYWORD_BYTES = 256;

const keyword = (value: string) => clip(value, MAX_KEYWORD_BYTES);

/**
 * The search attributes a playbook starts with; the workflow adds `TalonOutcome` when it ends.
 * They are never encrypted: the alert's text, fields and results stay out of them. `identifiers`
 * false leaves out the hostname, namespace and pod too (`encryption.identifiers_in_search_attributes`).
 */
export function startSearchAttributes(event: FalcoEvent, rules: readonly PlannedRule[], identifiers = true, summary?: string): SearchAttributePair[] {
  const actionners = [...new Set(rules.flatMap((rule) => rule.actions.map((a) => a.actionner)))];
  const pairs: SearchAttributePair[] = [
    { key: SA.falcoRule, value: keyword(event.rule) },
    { key: SA.falcoPriority, value: keyword(event.priority) },
    { key: SA.falcoSource, value: keyword(event.source) },
    { key: SA.talonRules, value: rules.map((rule) => keyword(rule.name)) },
    { key: SA.talonActionners, value: actionners },
    { key: SA.talonDryRun, value: rules.every((rule) => rule.dryRun === true) },
    ...(summary ? [{ key: SA.talonSummary, value: keyword(summary) }] : []),
  ];
  if (!identifiers) return pairs;
  // Empty keywords would only clutter the UI's filters.
  if (event.hostname) pairs.push({ key: SA.falcoHostname, value: keyword(event.hostname) });
  if (namespace(event)) pairs.push({ key: SA.k8sNamespace, value: keyword(namespace(event)) });
  if (podName(event)) pairs.push({ key: SA.k8sPod, value: keyword(podName(event)) });
  return pairs;
}

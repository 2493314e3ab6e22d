import { stringify } from 'yaml';
import type { Json } from '../contract/index.ts';
import type { ApprovalPolicy } from '../contract/index.ts';
import type { ActionSpec, MatchSpec, RetrySpec, RuleSpec } from './types.ts';

/**
 * `rules print`: the merged rules as a Talon rule file. Empty values are left out; tags and
 * output_fields go back to comma-joined strings, so the text loads again to the same rules.
 */

type Out = { [key: string]: Json | undefined };

function nonEmpty<T extends Json>(value: T): T | undefined {
  if (value === '' || value === null) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

/** Drops undefined values (yaml would print them as null). */
function compact(object: Out): { [key: string]: Json } {
  const result: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) result[key] = value;
  return result;
}

function formatMatch(match: MatchSpec): { [key: string]: Json } | undefined {
  const out = compact({
    rules: nonEmpty([...match.rules]),
    priority: nonEmpty(match.priority.text),
    source: nonEmpty(match.source),
    tags: nonEmpty(match.tags.map((set) => set.join(', '))),
    output_fields: nonEmpty(match.outputFields.map((group) => group.map((c) => `${c.key}${c.op}${c.value}`).join(', '))),
  });
  return nonEmpty(out);
}

function formatRetry(retry: RetrySpec | undefined): { [key: string]: Json } | undefined {
  if (retry === undefined) return undefined;
  return nonEmpty(
    compact({
      max_attempts: retry.maxAttempts,
      initial_interval: retry.initialInterval,
      max_interval: retry.maxInterval,
      backoff_coefficient: retry.backoffCoefficient,
    }),
  );
}

function formatApproval(approval: ApprovalPolicy | undefined): { [key: string]: Json } | undefined {
  if (approval === undefined) return undefined;
  return compact({ timeout: approval.timeout, default: approval.default, approvers: nonEmpty([...approval.approvers]) });
}

function formatAction(action: ActionSpec): { [key: string]: Json } {
  const output = action.output === undefined ? undefined : compact({ target: action.output.target, parameters: nonEmpty({ ...action.output.parameters }) });
  return compact({
    action: action.name,
    description: nonEmpty(action.description ?? ''),
    actionner: action.actionner,
    continue: action.continue,
    ignore_errors: action.ignoreErrors,
    additional_contexts: nonEmpty([...action.additionalContexts]),
    parameters: nonEmpty({ ...action.parameters }),
    output,
    retry: formatRetry(action.retry),
    timeout: action.timeout,
    approval: formatApproval(action.approval),
    expire_after: action.expireAfter,
    local: action.local,
  });
}

function formatRule(rule: RuleSpec): { [key: string]: Json } {
  return compact({
    rule: rule.name,
    description: nonEmpty(rule.description ?? ''),
    continue: rule.continue,
    dry_run: rule.dryRun,
    match: formatMatch(rule.match),
    approval: formatApproval(rule.approval),
    actions: nonEmpty(rule.actions.map(formatAction)),
    notifiers: nonEmpty([...rule.notifiers]),
  });
}

/** `---` then the rules as a YAML sequence in Talon's rule-file format. */
export function formatRules(rules: readonly RuleSpec[]): string {
  if (rules.length === 0) return '---\n[]\n';
  return `---\n${stringify(rules.map(formatRule), { lineWidth: 0 })}`;
}

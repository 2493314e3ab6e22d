import type { PlaybookInput } from '../contract/index.ts';
import { hostname, namespace, podName } from '../events/fields.ts';

// What the Temporal UI shows for a run before it is opened: a one-line summary in the workflow
// list and markdown details on its page, so a row reads as an audit entry, not `falco-<hex>`.

/** Temporal's UI shows the start of a summary; longer ones are cut here, not mid-character there. */
const MAX_SUMMARY = 200;
const MAX_OUTPUT = 2000;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * `Falco rule → namespace/pod: actionner, …` with `(dry run)` when no rule acts for real; without
 * `identifiers` (`encryption.identifiers_in_search_attributes: false`) the pod is left out.
 */
export function runSummary(input: PlaybookInput, identifiers = true): string {
  const ns = namespace(input.event);
  const pod = podName(input.event);
  const target = !identifiers ? '…' : pod ? `${ns ? `${ns}/` : ''}${pod}` : hostname(input.event) || 'host';
  const actions = [...new Set(input.rules.flatMap((r) => r.actions.map((a) => a.actionner)))].join(', ') || 'no action';
  const dryRun = input.rules.length > 0 && input.rules.every((r) => r.dryRun) ? ' (dry run)' : '';
  return cut(`${input.event.rule} → ${target}: ${actions}${dryRun}`, MAX_SUMMARY);
}

/** Markdown: the alert, then each rule's actions in order with what gates or time-boxes them. */
export function runDetails(input: PlaybookInput): string {
  const { event } = input;
  const lines = [`**Falco rule**: ${event.rule} (${event.priority}, ${event.source || 'syscall'}) on ${event.hostname || 'unknown host'}`];
  const pod = podName(event);
  if (pod) lines.push(`**Pod**: ${namespace(event)}/${pod}`);
  lines.push(`**Output**: ${cut(event.output, MAX_OUTPUT)}`, '');
  for (const rule of input.rules) {
    lines.push(`**Talon rule** ${rule.name}${rule.dryRun ? ' (dry run)' : ''}${rule.approval ? ` — approval ${rule.approval.timeout}` : ''}`);
    rule.actions.forEach((action, i) => {
      const extras = [
        action.approval ? `approval within ${action.approval.timeout}` : '',
        action.expireAfter ? `undone after ${action.expireAfter}` : '',
        action.destructive && input.governor ? 'governed' : '',
      ].filter(Boolean);
      lines.push(`${i + 1}. ${action.name} — \`${action.actionner}\`${extras.length ? ` (${extras.join(', ')})` : ''}`);
    });
  }
  if (input.links?.approve) lines.push('', `Approve or deny: ${input.links.approve}`);
  return lines.join('\n');
}

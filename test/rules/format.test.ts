import { describe, expect, it } from 'vitest';
import { catalog as realCatalog } from '../../activities/specs.ts';
import { formatRules, loadRules, type RuleSpec } from '../../src/rules/index.ts';
import { rulesOf, writeFiles } from './helpers.ts';

const SOURCE = `- action: lab
  actionner: kubernetes:label
  parameters: {labels: {quarantine: "true"}}
- rule: shell
  description: Quarantine shells
  continue: false
  dry_run: "true"
  match:
    rules: [Terminal shell in container]
    priority: ">=Warning"
    source: syscall
    tags: ["container,mitre_execution", k8s]
    output_fields: ["k8s.ns.name = prod, fd.sport!=8080", "proc.args=a=b"]
  notifiers: [slack]
  actions:
    - action: lab
      ignore_errors: true
    - action: dump
      actionner: kubernetes:tcpdump
      continue: true
      additional_contexts: [k8snode]
      parameters: {duration: 10}
      output:
        target: local:file
        parameters: {destination: /tmp}
      retry: {max_attempts: 3, initial_interval: 1000ms}
      timeout: 60s
- rule: bare
  actions:
    - action: kill
      actionner: kubernetes:terminate
`;

/** Drops origins, which naturally differ between the source and the printed file. */
function withoutOrigins(rules: readonly RuleSpec[]): unknown {
  return rules.map(({ origin: _o, actions, ...rule }) => ({ ...rule, actions: actions.map(({ origin: _a, ...action }) => action) }));
}

describe('formatRules (rules print)', () => {
  it("prints the merged rules in Talon's rule-file format, empty values omitted", async () => {
    expect(formatRules(await rulesOf(SOURCE))).toBe(`---
- rule: shell
  description: Quarantine shells
  continue: false
  dry_run: true
  match:
    rules:
      - Terminal shell in container
    priority: ">=Warning"
    source: syscall
    tags:
      - container, mitre_execution
      - k8s
    output_fields:
      - k8s.ns.name=prod, fd.sport!=8080
      - proc.args=a=b
  actions:
    - action: lab
      actionner: kubernetes:label
      ignore_errors: true
      parameters:
        labels:
          quarantine: "true"
    - action: dump
      actionner: kubernetes:tcpdump
      continue: true
      additional_contexts:
        - k8snode
      parameters:
        duration: 10
      output:
        target: local:file
        parameters:
          destination: /tmp
      retry:
        max_attempts: 3
        initial_interval: 1s
      timeout: 1m
  notifiers:
    - slack
- rule: bare
  actions:
    - action: kill
      actionner: kubernetes:terminate
`);
  });

  it('prints text that loads back to the same rules', async () => {
    const rules = await rulesOf(SOURCE);
    const again = await rulesOf(formatRules(rules));
    expect(withoutOrigins(again)).toEqual(withoutOrigins(rules));
  });

  it('prints the extensions (approval, expire_after, local) so they load back too', async () => {
    // The real catalog: expire_after needs an actionner that can undo, local an http:request here.
    const load = async (text: string) => {
      const loaded = await loadRules(writeFiles({ 'r.yaml': text }), realCatalog);
      if (!loaded.ok) throw new Error(loaded.errors.map(String).join('\n'));
      return [...loaded.ruleSet.rules];
    };
    const rules = await load(`- rule: gated
  approval: {timeout: 10m, default: deny, approvers: [alice]}
  actions:
    - action: tag
      actionner: kubernetes:label
      parameters: {labels: {quarantine: "true"}}
      expire_after: 2h
      approval: true
    - action: ticket
      actionner: http:request
      parameters: {url: "https://tickets.example.com/x"}
      local: true
`);
    const printed = formatRules(rules);
    expect(printed).toContain('expire_after: 2h');
    expect(printed).toContain('local: true');
    expect(printed).toMatch(/approval:\n\s+timeout: 10m\n\s+default: deny\n\s+approvers:\n\s+- alice/);
    expect(withoutOrigins(await load(printed))).toEqual(withoutOrigins(rules));
  });

  it('prints an empty rule list as an empty sequence', () => {
    expect(formatRules([])).toBe('---\n[]\n');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../activities/specs.ts';
import { configSchema } from '../../src/config/schema.ts';
import { planEvent } from '../../src/plan/plan.ts';
import { planSettingsFrom } from '../../src/plan/settings.ts';
import { loadRules } from '../../src/rules/index.ts';
import { falcoEvent, rulesFromYaml } from '../support/fixtures.ts';

// The extensions of the rule format and configuration behind approval gates, time-boxed
// containment and the governor: parsed at the edge, carried into the workflow's input.

async function errorsOf(yaml: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'talon-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), yaml);
  const loaded = await loadRules([join(dir, 'rules.yaml')], catalog);
  return loaded.ok ? [] : loaded.errors.map((e) => e.toString().replace(dir, ''));
}

describe('approval, expire_after and the governor in plans', () => {
  it('plans approvals (rule and action, inherited from definitions), expiry, destructive actions, the governor and links', async () => {
    const ruleSet = await rulesFromYaml(`- action: Drain
  actionner: kubernetes:drain
  approval: { timeout: 20m, approvers: [alice] }
- rule: r
  match: { rules: [Terminal shell in container] }
  approval: true
  actions:
    - action: Mark
      actionner: kubernetes:label
      parameters: { labels: { quarantine: "true" } }
      expire_after: 90m
    - action: Drain
`);
    const config = configSchema.parse({
      governor: { limits: [{ scope: 'namespace', max: 5, window: '1h' }], over_budget: 'approval' },
      ui_base_url: 'https://ui.example/',
      public_url: 'https://talon.example',
    });
    const plan = planEvent(falcoEvent(), ruleSet, planSettingsFrom(config))!;
    const [rule] = plan.input.rules;
    expect(rule?.approval).toEqual({ timeout: '15m', default: 'deny', approvers: [] });
    expect(rule?.actions[0]).toMatchObject({ expireAfter: '90m' });
    expect(rule?.actions[0]?.destructive).toBeUndefined();
    expect(rule?.actions[1]).toMatchObject({ destructive: true, approval: { timeout: '20m', default: 'deny', approvers: ['alice'] } });
    expect(plan.input.governor).toEqual({
      limits: [{ scope: 'namespace', max: 5, window: '1h' }],
      overBudget: 'approval',
      approval: { timeout: '15m', default: 'deny', approvers: [] },
    });
    const id = encodeURIComponent(plan.workflowId);
    expect(plan.input.links).toEqual({ run: `https://ui.example/namespaces/default/workflows/${id}`, approve: `https://talon.example/approvals/${id}` });
  });

  it('leaves a Talon rule file’s plan as it was: no governor without destructive actions, no approval link without approvals', async () => {
    const ruleSet = await rulesFromYaml(`- rule: r
  match: { rules: [Terminal shell in container] }
  actions:
    - action: Mark
      actionner: kubernetes:label
      parameters: { labels: { quarantine: "true" } }
`);
    const plan = planEvent(falcoEvent(), ruleSet, planSettingsFrom(configSchema.parse({ public_url: 'https://talon.example' })))!;
    expect(plan.input.governor).toBeUndefined();
    expect(plan.input.links).toBeUndefined();
    expect(Object.keys(plan.input.rules[0]!.actions[0]!)).not.toContain('approval');
  });

  it('refuses expire_after on an action that cannot be undone, and a malformed approval, with file and line', async () => {
    const errors = await errorsOf(`- rule: bad
  match: { rules: [x] }
  actions:
    - action: kill
      actionner: kubernetes:terminate
      expire_after: 1h
    - action: drain
      actionner: kubernetes:drain
      approval:
        timeout: soon
        default: maybe
`);
    expect(errors).toEqual([
      expect.stringMatching(
        /rules\.yaml:6: .*'expire_after' needs an actionner that can undo its change \(.*kubernetes:label.*\); 'kubernetes:terminate' cannot/,
      ),
      expect.stringMatching(/rules\.yaml:10: .*'approval\.timeout' must be a duration/),
      expect.stringMatching(/rules\.yaml:11: .*'approval\.default' must be approve or deny/),
    ]);
  });

  it('carries local: true into the plan, and refuses it with an output, expire_after or a long timeout, with file and line', async () => {
    const ruleSet = await rulesFromYaml(`- rule: quick
  match: { rules: [Terminal shell in container] }
  actions:
    - action: ticket
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
      local: true
    - action: label
      actionner: kubernetes:label
      parameters: { labels: { a: b } }
`);
    const plan = planEvent(falcoEvent(), ruleSet, { defaultNotifiers: [], dedupWindowSeconds: 0 })!;
    expect(plan.input.rules[0]!.actions[0]!.local).toBe(true);
    expect(Object.keys(plan.input.rules[0]!.actions[1]!)).not.toContain('local');

    const errors = await errorsOf(`- rule: bad
  match: { rules: [x] }
  actions:
    - action: ticket
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
      output: { target: local:file, parameters: { destination: /tmp } }
      local: true
    - action: label
      actionner: kubernetes:label
      parameters: { labels: { a: b } }
      expire_after: 1h
      local: true
    - action: slow
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
      timeout: 5m
      local: true
    - action: exec
      actionner: kubernetes:exec
      parameters: { command: "ls" }
      local: true
`);
    expect(errors).toEqual([
      expect.stringMatching(/rules\.yaml:8: .*'local' cannot be combined with 'output'/),
      expect.stringMatching(/rules\.yaml:13: .*'local' cannot be combined with 'expire_after'/),
      expect.stringMatching(/rules\.yaml:18: .*'local' needs a timeout of at most 1m \(this action's is 5m\)/),
      expect.stringMatching(/rules\.yaml:22: .*'local' needs a timeout of at most 1m \(this action's is 5m\)/),
    ]);
  });

  it('validates the governor configuration', () => {
    expect(() => configSchema.parse({ governor: { limits: [{ scope: 'pod', max: 1, window: '1h' }] } })).toThrow();
    expect(() => configSchema.parse({ governor: { limits: [{ scope: 'node', max: 1, window: 'forever' }] } })).toThrow(/duration/);
    expect(configSchema.parse({}).governor.destructive).toEqual(['kubernetes:terminate', 'kubernetes:delete', 'kubernetes:drain', 'kubernetes:cordon']);
  });
});

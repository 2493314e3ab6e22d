import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, planRules } from '../../src/plan/build.ts';
import { rulesFromYaml } from '../support/fixtures.ts';

describe('planning matched rules', () => {
  it('resolves flags in one place: rule value, else the actionner default; notifiers = defaults ∪ rule', async () => {
    const ruleSet = await rulesFromYaml(`- rule: r
  continue: false
  notifiers: [webhook]
  actions:
    - action: plain
      actionner: http:request
      parameters: { url: "http://a.example" }
    - action: tuned
      actionner: http:request
      continue: false
      ignore_errors: true
      timeout: 45s
      retry: { max_attempts: 2, initial_interval: 200ms, max_interval: 2s, backoff_coefficient: 3 }
      parameters: { url: "http://b.example" }
`);
    const [rule] = planRules(ruleSet.rules, ['webhook', 'other']);
    expect(rule).toMatchObject({ name: 'r', continue: false, notifiers: ['webhook', 'other'] });
    expect(rule?.actions[0]).toMatchObject({
      continue: undefined,
      effectiveContinue: true,
      effectiveIgnoreErrors: false,
      outputMode: 'allowed',
      timeout: '30s',
      retry: DEFAULT_RETRY,
    });
    expect(rule?.actions[1]).toMatchObject({
      continue: false,
      ignoreErrors: true,
      effectiveContinue: false,
      effectiveIgnoreErrors: true,
      timeout: '45s',
      retry: { maximumAttempts: 2, initialInterval: '200ms', maximumInterval: '2s', backoffCoefficient: 3 },
    });
  });
});

describe("an actionner's default continue", () => {
  it('applies when the action does not set continue, and the action value wins when set', async () => {
    const ruleSet = await rulesFromYaml(`- rule: r
  actions:
    - action: unset
      actionner: http:request
      parameters: { url: "http://a.example" }
    - action: set
      actionner: http:request
      continue: true
      parameters: { url: "http://b.example" }
`);
    // A lookup whose actionner stops the chain by default, as kubernetes:terminate does.
    const stopsByDefault = () => ({ defaultContinue: false, needsOutput: true, allowsOutput: false, timeout: '2m', category: 'http' });
    const [rule] = planRules(ruleSet.rules, [], stopsByDefault);
    expect(rule?.actions.map((a) => [a.name, a.effectiveContinue, a.outputMode, a.timeout])).toEqual([
      ['unset', false, 'required', '2m'],
      ['set', true, 'required', '2m'],
    ]);
  });
});

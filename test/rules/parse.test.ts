import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, loadRulesSyntax } from '../../src/rules/index.ts';
import { catalog, errorsOf, rulesOf, syntaxErrorsOf, tempDir, warningsOf, writeFiles } from './helpers.ts';

describe('rule file parsing', () => {
  it('reads action definitions and rules from one sequence and keeps each item line', async () => {
    const [rule] = await rulesOf(`# comment
- action: kill
  actionner: kubernetes:terminate

- rule: shell
  description: a shell
  actions:
    - action: kill
`);
    expect(rule?.name).toBe('shell');
    expect(rule?.description).toBe('a shell');
    expect(rule?.origin.line).toBe(5);
    expect(rule?.origin.file).toMatch(/r0\.yaml$/);
    expect(rule?.actions[0]?.actionner).toBe('kubernetes:terminate');
    expect(rule?.actions[0]?.origin.line).toBe(8);
  });

  it('accepts YAML booleans and the strings "true"/"false", resolved to real booleans', async () => {
    const [a, b] = await rulesOf(`
- rule: a
  continue: true
  dry_run: 'false'
  actions:
    - action: t
      actionner: kubernetes:terminate
      continue: "true"
      ignore_errors: false
- rule: b
  actions:
    - action: t2
      actionner: kubernetes:terminate
`);
    expect(a?.continue).toBe(true);
    expect(a?.dryRun).toBe(false);
    expect(a?.actions[0]?.continue).toBe(true);
    expect(a?.actions[0]?.ignoreErrors).toBe(false);
    expect(b?.continue).toBeUndefined();
    expect(b?.dryRun).toBeUndefined();
    expect(b?.actions[0]?.continue).toBeUndefined();
    expect(b?.actions[0]?.ignoreErrors).toBeUndefined();
  });

  it.each(['True', 'yes', '1', '"TRUE"', 'on'])('rejects %s as a boolean setting with the reference texts', async (value) => {
    const errors = await syntaxErrorsOf(`- rule: r
  continue: ${value}
  dry_run: ${value}
  actions:
    - action: a
      actionner: kubernetes:terminate
      continue: ${value}
      ignore_errors: ${value}
`);
    expect(errors).toEqual([
      "r0.yaml:2: rule 'r': 'continue' setting can be 'true' or 'false' only",
      "r0.yaml:3: rule 'r': 'dry_run' setting can be 'true' or 'false' only",
      "r0.yaml:7: rule 'r', action 'a': 'continue' setting can be 'true' or 'false' only",
      "r0.yaml:8: rule 'r', action 'a': 'ignore_errors' setting can be 'true' or 'false' only",
    ]);
  });

  it('ignores an item with neither rule nor action, as Talon, with a warning naming its line', async () => {
    const text = `- description: orphan\n  actions: []\n- rule: ''\n- rule: kept\n  actions:\n    - action: a\n      actionner: kubernetes:terminate\n`;
    expect(await syntaxErrorsOf(text)).toEqual([]);
    expect(await warningsOf(text)).toEqual([
      "r0.yaml:1: warning: an item without a non-empty 'rule' or 'action' key is ignored",
      "r0.yaml:3: warning: an item without a non-empty 'rule' or 'action' key is ignored",
    ]);
    expect((await rulesOf(text)).map((rule) => rule.name)).toEqual(['kept']);
  });

  it('rejects a file that is not a sequence and items that are not maps', async () => {
    expect(await syntaxErrorsOf('rule: x\n')).toEqual(['r0.yaml:1: a rule file must be a YAML sequence of rules and actions']);
    expect(await syntaxErrorsOf('- just text\n')).toEqual(["r0.yaml:1: an item must be a map with a 'rule' or an 'action' key"]);
  });

  it('reports a YAML syntax error with its file, line and the YAML message', async () => {
    const errors = await syntaxErrorsOf('- rule: a\n  actions: [\n- rule: b\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^r0\.yaml:3: wrong syntax: .*Flow sequence/);
  });

  it('reports duplicate keys as a syntax error, and skips later stages when a file is not valid YAML', async () => {
    expect(await errorsOf(`- rule: a\n  rule: b\n`, `- rule: uses-a-definition-of-the-broken-file\n  actions: [{action: x}]\n`)).toEqual([
      'r0.yaml:2: wrong syntax: Map keys must be unique',
    ]);
  });

  it('makes an item with both rule and action both a rule and an action definition', async () => {
    const rules = await rulesOf(`- rule: both\n  action: kill\n  actionner: kubernetes:terminate\n  actions:\n    - action: kill\n`);
    expect(rules.map((r) => [r.name, r.actions[0]?.actionner])).toEqual([['both', 'kubernetes:terminate']]);
  });

  it('reports a missing file by name and a missing path list', async () => {
    const missing = join(tempDir(), 'nope.yaml');
    const loaded = await loadRules([missing], catalog);
    expect(loaded.ok ? [] : loaded.errors.map(String)).toEqual([`${missing}: cannot read the rule file: ENOENT: no such file or directory, stat '${missing}'`]);
    const none = await loadRulesSyntax([]);
    expect(none.ok ? [] : none.errors.map(String)).toEqual(['no rule file is provided']);
  });

  it('adds nothing for an empty or comment-only file', async () => {
    const loaded = await loadRules(writeFiles({ 'empty.yaml': '', 'comments.yaml': '# nothing\n' }), catalog);
    expect(loaded.ok && loaded.ruleSet.rules).toEqual([]);
  });

  it('reads every *.yaml/*.yml directly inside a directory, sorted by name', async () => {
    const dir = tempDir();
    writeFiles(
      {
        'b.yml': '- rule: second\n  actions: [{action: x, actionner: "kubernetes:terminate"}]\n',
        'a.yaml': '- rule: first\n  actions: [{action: x, actionner: "kubernetes:terminate"}]\n',
        'notes.txt': 'not yaml: [',
      },
      dir,
    );
    mkdirSync(join(dir, 'sub.yaml'));
    writeFileSync(join(dir, 'sub.yaml', 'c.yaml'), '- rule: nested\n');
    const loaded = await loadRules([dir], catalog);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.ruleSet.rules.map((r) => r.name)).toEqual(['first', 'second']);
    expect(loaded.ruleSet.files).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
  });

  it('reports keys of the wrong type with their lines', async () => {
    expect(
      await syntaxErrorsOf(`- rule: r
  description: [a]
  match: [x]
  notifiers: slack
  actions:
    - action: a
      actionner: kubernetes:terminate
      parameters: [1]
      additional_contexts: aws
      output: file
    - just-a-name
`),
    ).toEqual([
      "r0.yaml:2: rule 'r': 'description' must be a string",
      "r0.yaml:3: rule 'r': 'match' must be a map",
      "r0.yaml:4: rule 'r': 'notifiers' must be a list of strings",
      "r0.yaml:8: rule 'r', action 'a': 'parameters' must be a map",
      "r0.yaml:9: rule 'r', action 'a': 'additional_contexts' must be a list of strings",
      "r0.yaml:10: rule 'r', action 'a': 'output' must be a map",
      "r0.yaml:11: rule 'r': an action entry must be a map",
    ]);
  });

  it('keeps the literal text of non-string scalars used as names, like Go does', async () => {
    const [rule] = await rulesOf(`- rule: 1.0\n  match:\n    rules: [8080]\n  actions: [{action: x, actionner: "kubernetes:terminate"}]\n`);
    expect(rule?.name).toBe('1.0');
    expect(rule?.match.rules).toEqual(['8080']);
  });

  it('resolves YAML aliases in parameters', async () => {
    const [rule] = await rulesOf(`- action: np
  actionner: kubernetes:networkpolicy
  parameters:
    allow_namespaces: &ns [kube-system, monitoring]
- rule: r
  actions:
    - action: np
      parameters:
        allow_cidr: *ns
`);
    expect(rule?.actions[0]?.parameters).toEqual({ allow_namespaces: ['kube-system', 'monitoring'], allow_cidr: ['kube-system', 'monitoring'] });
  });

  it('treats a parameter set to null as not set', async () => {
    const [rule] = await rulesOf(
      `- rule: r\n  actions:\n    - action: t\n      actionner: kubernetes:terminate\n      parameters:\n        grace_period_seconds:\n`,
    );
    expect(rule?.actions[0]?.parameters).toEqual({});
  });
});

describe('retry and timeout extension keys', () => {
  it('maps retry to a camelCase RetrySpec and normalises durations for Temporal', async () => {
    const [rule] = await rulesOf(`- rule: r
  actions:
    - action: t
      actionner: kubernetes:terminate
      retry:
        max_attempts: 5
        initial_interval: 500ms
        max_interval: 1.5
        backoff_coefficient: 2
      timeout: 120s
`);
    expect(rule?.actions[0]?.retry).toEqual({ maxAttempts: 5, initialInterval: '500ms', maxInterval: '1500ms', backoffCoefficient: 2 });
    expect(rule?.actions[0]?.timeout).toBe('2m');
  });

  it('reports every invalid retry or timeout value and unknown retry keys', async () => {
    expect(
      await syntaxErrorsOf(`- rule: r
  actions:
    - action: t
      actionner: kubernetes:terminate
      retry:
        max_attempts: 0
        initial_interval: soon
        max_interval: -1
        backoff_coefficient: 0.5
        maximum_attempts: 3
      timeout: 10 minutes
`),
    ).toEqual([
      "r0.yaml:6: rule 'r', action 't': 'retry.max_attempts' must be an integer of at least 1",
      `r0.yaml:7: rule 'r', action 't': 'retry.initial_interval' must be a duration like "500ms", "2s", "1m", "1h" or a number of seconds`,
      `r0.yaml:8: rule 'r', action 't': 'retry.max_interval' must be a duration like "500ms", "2s", "1m", "1h" or a number of seconds`,
      "r0.yaml:9: rule 'r', action 't': 'retry.backoff_coefficient' must be a number of at least 1",
      "r0.yaml:10: rule 'r', action 't': unknown key 'maximum_attempts' in 'retry' (expected one of max_attempts, initial_interval, max_interval, backoff_coefficient)",
      `r0.yaml:11: rule 'r', action 't': 'timeout' must be a duration like "500ms", "2s", "1m", "1h" or a number of seconds`,
    ]);
  });

  it('rejects a max_interval shorter than the initial_interval', async () => {
    expect(
      await syntaxErrorsOf(`- rule: r
  actions:
    - action: t
      actionner: kubernetes:terminate
      retry: {initial_interval: 1m, max_interval: 10s}
`),
    ).toEqual(["r0.yaml:5: rule 'r', action 't': 'retry.max_interval' must not be shorter than 'retry.initial_interval'"]);
  });

  it('lets a rule entry override retry fields of its definition one by one', async () => {
    const [rule] = await rulesOf(`- action: t
  actionner: kubernetes:terminate
  retry: {max_attempts: 3, initial_interval: 1s}
  timeout: 30s
- rule: r
  actions:
    - action: t
      retry: {max_attempts: 10}
`);
    expect(rule?.actions[0]?.retry).toEqual({ maxAttempts: 10, initialInterval: '1s' });
    expect(rule?.actions[0]?.timeout).toBe('30s');
  });

  it('reports errors of several files in one pass, ordered by file and line', async () => {
    expect(await errorsOf(`- rule: a\n  actions: []\n`, `- rule: b\n  dry_run: maybe\n  actions:\n    - action: x\n      actionner: nope:nope\n`)).toEqual([
      "r0.yaml:1: rule 'a': no action specified",
      "r1.yaml:2: rule 'b': 'dry_run' setting can be 'true' or 'false' only",
      "r1.yaml:5: rule 'b', action 'x': unknown actionner 'nope:nope'",
    ]);
  });
});

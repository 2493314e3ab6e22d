import { describe, expect, it } from 'vitest';
import { errorsOf, rulesOf, warningsOf } from './helpers.ts';

const useAction = (name: string): string => `- rule: user\n  actions:\n    - action: ${name}\n`;

describe('folding same-name action definitions (§2.2)', () => {
  it('lets a later definition replace actionner, continue, description and ignore_errors only when it sets them', async () => {
    const [folded] = await rulesOf(
      `- action: a\n  actionner: kubernetes:label\n  description: first\n  continue: false\n  ignore_errors: true\n`,
      `- action: a\n  actionner: kubernetes:networkpolicy\n  continue: true\n`,
      `- action: a\n  actionner: kubernetes:terminate\n  description: third\n`,
      useAction('a'),
    );
    expect(folded?.actions[0]).toMatchObject({ actionner: 'kubernetes:terminate', description: 'third', continue: true, ignoreErrors: true });
  });

  it('appends additional_contexts and keeps the earlier output target', async () => {
    const [rule] = await rulesOf(
      `- action: a\n  actionner: kubernetes:log\n  additional_contexts: [aws]\n  output: {target: "local:file", parameters: {destination: /tmp}}\n`,
      `- action: a\n  additional_contexts: [k8snode]\n  output: {target: "aws:s3", parameters: {destination: /var}}\n`,
      useAction('a'),
    );
    expect(rule?.actions[0]?.additionalContexts).toEqual(['aws', 'k8snode']);
    expect(rule?.actions[0]?.output).toEqual({ target: 'local:file', parameters: { destination: '/var' } });
  });

  it('lets a later definition fill an empty output target', async () => {
    const [rule] = await rulesOf(
      `- action: a\n  actionner: kubernetes:log\n  output: {parameters: {destination: /tmp}}\n`,
      `- action: a\n  output: {target: "local:file"}\n`,
      useAction('a'),
    );
    expect(rule?.actions[0]?.output).toEqual({ target: 'local:file', parameters: { destination: '/tmp' } });
  });

  it('concatenates lists (earlier first), merges maps (later wins) and replaces scalars', async () => {
    const [rule] = await rulesOf(
      `- action: a\n  actionner: kubernetes:label\n  parameters:\n    labels: {a: "1", b: "1"}\n    level: pod\n`,
      `- action: a\n  parameters:\n    labels: {b: "2", c: "2"}\n    level: node\n`,
      `- action: np\n  actionner: kubernetes:networkpolicy\n  parameters: {allow_cidr: [10.0.0.0/8]}\n`,
      `- action: np\n  parameters: {allow_cidr: [192.168.0.0/16]}\n`,
      `- rule: user\n  actions:\n    - action: a\n    - action: np\n`,
    );
    expect(rule?.actions[0]?.parameters).toEqual({ labels: { a: '1', b: '2', c: '2' }, level: 'node' });
    expect(rule?.actions[1]?.parameters).toEqual({ allow_cidr: ['10.0.0.0/8', '192.168.0.0/16'] });
  });

  it('takes a new list key from a later definition as written, without double-wrapping it (fixed quirk)', async () => {
    const [rule] = await rulesOf(
      `- action: np\n  actionner: kubernetes:networkpolicy\n  parameters: {allow_cidr: [10.0.0.0/8]}\n`,
      `- action: np\n  parameters: {allow_namespaces: [ns1]}\n`,
      useAction('np'),
    );
    expect(rule?.actions[0]?.parameters).toEqual({ allow_cidr: ['10.0.0.0/8'], allow_namespaces: ['ns1'] });
  });

  it('keeps the earlier value of a parameter whose kind differs between two same-name definitions, as Talon, with a warning', async () => {
    const files = [
      `- action: np\n  actionner: kubernetes:networkpolicy\n  parameters: {allow_cidr: [10.0.0.0/8]}\n`,
      `- action: np\n  parameters:\n    allow_cidr: 10.0.0.0/8\n`,
      useAction('np'),
    ];
    expect(await warningsOf(...files)).toEqual([
      "r1.yaml:3: warning: action 'np': mismatch of type for parameter 'allow_cidr': scalar here, list at r0.yaml:3; this later value is ignored",
    ]);
    const [rule] = await rulesOf(...files);
    expect(rule?.actions[0]?.parameters).toEqual({ allow_cidr: ['10.0.0.0/8'] });
  });
});

describe('folding same-name rules (§2.2)', () => {
  const base = `- rule: r
  description: first
  match:
    rules: [A]
    priority: ">=Warning"
    source: syscall
    tags: [container]
    output_fields: [k8s.ns.name=prod]
  notifiers: [slack]
  actions:
    - action: one
      actionner: kubernetes:label
      parameters: {labels: {a: b}}
`;

  it('keeps the first occurrence position and appends lists of later occurrences', async () => {
    const rules = await rulesOf(
      base,
      `- rule: other\n  actions: [{action: x, actionner: "kubernetes:terminate"}]\n- rule: r\n  continue: false\n  dry_run: true\n  description: second\n  match:\n    rules: [B]\n    tags: [k8s]\n    output_fields: [k8s.ns.name=dev]\n  notifiers: [k8sevents]\n  actions:\n    - action: two\n      actionner: kubernetes:terminate\n`,
    );
    expect(rules.map((r) => r.name)).toEqual(['r', 'other']);
    const [r] = rules;
    expect(r).toMatchObject({ description: 'second', continue: false, dryRun: true, notifiers: ['slack', 'k8sevents'] });
    expect(r?.origin.line).toBe(1);
    expect(r?.origin.file).toMatch(/r0\.yaml$/);
    expect(r?.match.rules).toEqual(['A', 'B']);
    expect(r?.match.tags).toEqual([['container'], ['k8s']]);
    expect(r?.match.outputFields.map((g) => g.map((c) => c.value))).toEqual([['prod'], ['dev']]);
    expect(r?.actions.map((a) => a.name)).toEqual(['one', 'two']);
  });

  it('keeps the earlier priority and source when a later rule omits them (fixed quirk)', async () => {
    const [r] = await rulesOf(base, `- rule: r\n  match:\n    rules: [B]\n`);
    expect(r?.match.priority).toEqual({ op: '>=', rank: 4, text: '>=Warning' });
    expect(r?.match.source).toBe('syscall');
  });

  it('replaces priority and source when a later rule sets them', async () => {
    const [r] = await rulesOf(base, `- rule: r\n  match:\n    priority: Critical\n    source: k8s_audit\n`);
    expect(r?.match.priority).toEqual({ op: '=', rank: 6, text: 'Critical' });
    expect(r?.match.source).toBe('k8s_audit');
  });

  it('keeps the earlier continue, dry_run and description when a later rule omits them', async () => {
    const [r] = await rulesOf(
      `- rule: r\n  continue: false\n  dry_run: true\n  description: d\n  actions: [{action: x, actionner: "kubernetes:terminate"}]\n`,
      `- rule: r\n  notifiers: [slack]\n`,
    );
    expect(r).toMatchObject({ continue: false, dryRun: true, description: 'd', notifiers: ['slack'] });
  });
});

describe('rule entries inheriting from action definitions (§2.3)', () => {
  it('fills what the entry lacks and lets the entry win on single values', async () => {
    const [r] = await rulesOf(
      `- action: lab\n  description: def\n  actionner: kubernetes:label\n  continue: false\n  ignore_errors: true\n  additional_contexts: [aws]\n  parameters: {labels: {a: b}, level: pod}\n`,
      `- rule: r\n  actions:\n    - action: lab\n      description: entry\n      ignore_errors: false\n      parameters: {level: node}\n    - action: lab\n      additional_contexts: [k8snode]\n`,
    );
    expect(r?.actions[0]).toMatchObject({
      description: 'entry',
      actionner: 'kubernetes:label',
      continue: false,
      ignoreErrors: false,
      additionalContexts: ['aws'],
      parameters: { labels: { a: 'b' }, level: 'node' },
    });
    expect(r?.actions[1]?.additionalContexts).toEqual(['k8snode']);
  });

  it('puts definition list items before the entry items', async () => {
    const [r] = await rulesOf(
      `- action: np\n  actionner: kubernetes:networkpolicy\n  parameters: {allow_namespaces: [kube-system]}\n`,
      `- rule: r\n  actions:\n    - action: np\n      parameters: {allow_namespaces: [monitoring]}\n`,
    );
    expect(r?.actions[0]?.parameters).toEqual({ allow_namespaces: ['kube-system', 'monitoring'] });
  });

  it('merges map parameters with the rule entry winning on key conflicts (fixed quirk)', async () => {
    const [r] = await rulesOf(
      `- action: lab\n  actionner: kubernetes:label\n  parameters: {labels: {quarantine: "false", team: sec}}\n`,
      `- rule: r\n  actions:\n    - action: lab\n      parameters: {labels: {quarantine: "true"}}\n`,
    );
    expect(r?.actions[0]?.parameters).toEqual({ labels: { quarantine: 'true', team: 'sec' } });
  });

  it("keeps the entry's value of a parameter whose kind differs from its definition's, as Talon, with a warning", async () => {
    const files = [
      `- action: np\n  actionner: kubernetes:networkpolicy\n  parameters: {allow_namespaces: {x: y}}\n`,
      `- rule: r\n  actions:\n    - action: np\n      parameters:\n        allow_namespaces: [ns1]\n`,
    ];
    expect(await warningsOf(...files)).toEqual([
      "r1.yaml:5: warning: rule 'r', action 'np': mismatch of type for parameter 'allow_namespaces': list here, map at r0.yaml:3; the definition's value is ignored",
    ]);
    const [rule] = await rulesOf(...files);
    expect(rule?.actions[0]?.parameters).toEqual({ allow_namespaces: ['ns1'] });
  });

  it('still validates the kept value: an entry of the wrong kind for its schema is an error', async () => {
    expect(
      await errorsOf(
        `- action: lab\n  actionner: kubernetes:label\n  parameters: {labels: {a: b}}\n`,
        `- rule: r\n  actions:\n    - action: lab\n      parameters:\n        labels: [a]\n`,
      ),
    ).toEqual(["r1.yaml:5: rule 'r', action 'lab': parameter 'labels': expected record, received array"]);
  });

  it('inherits list and map output parameters into an entry without output parameters (fixed crash)', async () => {
    const [r] = await rulesOf(
      `- action: dump\n  actionner: kubernetes:tcpdump\n  output:\n    target: aws:s3\n    parameters: {bucket: b, tags: [x], meta: {k: v}}\n`,
      `- rule: r\n  actions:\n    - action: dump\n      output: {target: "aws:s3"}\n    - action: dump\n      output:\n        parameters: {tags: [y], meta: {k: w}}\n`,
    );
    expect(r?.actions[0]?.output).toEqual({ target: 'aws:s3', parameters: { bucket: 'b', tags: ['x'], meta: { k: 'v' } } });
    expect(r?.actions[1]?.output).toEqual({ target: 'aws:s3', parameters: { bucket: 'b', tags: ['x', 'y'], meta: { k: 'w' } } });
  });

  it('requires an entry naming no definition to be complete', async () => {
    expect(await errorsOf(`- rule: r\n  actions:\n    - action: undefined-one\n`)).toEqual(["r0.yaml:3: rule 'r', action 'undefined-one': missing actionner"]);
  });

  it('inherits from the folded definition, wherever the files put it', async () => {
    const [r] = await rulesOf(
      `- rule: r\n  actions:\n    - action: t\n`,
      `- action: t\n  actionner: kubernetes:terminate\n`,
      `- action: t\n  parameters: {grace_period_seconds: 5}\n`,
    );
    expect(r?.actions[0]).toMatchObject({ actionner: 'kubernetes:terminate', parameters: { grace_period_seconds: 5 } });
  });
});

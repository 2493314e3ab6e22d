import { describe, expect, it } from 'vitest';
import { errorsOf, rulesOf, syntaxErrorsOf, warningsOf } from './helpers.ts';

/** A rule whose single action has the given YAML lines (indented under the entry). */
const withAction = (lines: string): string => `- rule: r\n  actions:\n    - action: a\n${lines}`;
/** A rule with the given match block lines and a valid action. */
const withMatch = (lines: string): string => `- rule: r\n  match:\n${lines}  actions:\n    - action: a\n      actionner: kubernetes:terminate\n`;

describe('stage A (syntax) errors', () => {
  it('reports a rule without actions', async () => {
    expect(await syntaxErrorsOf(`- rule: r\n  description: nothing to do\n`)).toEqual(["r0.yaml:1: rule 'r': no action specified"]);
  });

  it('reports an action entry without a name', async () => {
    expect(await syntaxErrorsOf(`- rule: r\n  actions:\n    - actionner: kubernetes:terminate\n`)).toEqual(["r0.yaml:3: rule 'r': action without a name"]);
  });

  it('reports a missing actionner once', async () => {
    expect(await syntaxErrorsOf(withAction('      description: no actionner\n'))).toEqual(["r0.yaml:3: rule 'r', action 'a': missing actionner"]);
  });

  it.each(['Kubernetes:Label', 'kubernetes_label', 'kubernetes:'])('reports incorrect actionner %s', async (actionner) => {
    expect(await syntaxErrorsOf(withAction(`      actionner: "${actionner}"\n`))).toEqual(["r0.yaml:4: rule 'r', action 'a': incorrect actionner"]);
  });

  it.each(['k8s:label', 'x:y:z', 'foo bar:baz qux'])('lets %s pass stage A like the reference (unanchored pattern)', async (actionner) => {
    expect(await syntaxErrorsOf(withAction(`      actionner: "${actionner}"\n`))).toEqual([]);
  });

  it('reports an output target without parameters', async () => {
    expect(await syntaxErrorsOf(withAction(`      actionner: kubernetes:tcpdump\n      output:\n        target: local:file\n`))).toEqual([
      "r0.yaml:5: rule 'r', action 'a': missing 'parameters' for the output",
    ]);
  });

  it.each(['Info', '=>Warning', '==Warning', 'warning!'])('reports incorrect priority %s', async (priority) => {
    expect(await syntaxErrorsOf(withMatch(`    priority: "${priority}"\n`))).toEqual([`r0.yaml:3: rule 'r': incorrect priority '${priority}'`]);
  });

  it.each(['', '>=', '<=notice', '=Critical', 'EMERGENCY', '>Debug'])('accepts priority "%s"', async (priority) => {
    expect(await syntaxErrorsOf(withMatch(`    priority: "${priority}"\n`))).toEqual([]);
  });

  it('reports each incorrect tag: dashes and a trailing _ or . are rejected as in the reference', async () => {
    expect(await syntaxErrorsOf(withMatch(`    tags:\n      - "mitre-execution, container"\n      - "foo_, bar., T1059.004"\n`))).toEqual([
      "r0.yaml:4: rule 'r': incorrect tag 'mitre-execution'",
      "r0.yaml:5: rule 'r': incorrect tag 'foo_'",
      "r0.yaml:5: rule 'r': incorrect tag 'bar.'",
    ]);
  });

  it('accepts tags with underscores, dots, digits and spaces around commas', async () => {
    expect(await syntaxErrorsOf(withMatch(`    tags: ["mitre_execution , T1059.004", Container]\n`))).toEqual([]);
  });

  it('accepts output_fields keys with _, -, [ ] and spaces around the operator (fixed quirk)', async () => {
    const items = [
      'evt.is_open_write=true',
      'proc.env[MY_VAR]=x',
      'k8s.ns.name = x',
      'a=1,  b=2',
      'proc.args=a=b',
      'k8s.pod.label[app.kubernetes.io/name] != web',
      'x-y=z',
    ];
    expect(await syntaxErrorsOf(withMatch(`    output_fields:\n${items.map((i) => `      - "${i}"\n`).join('')}`))).toEqual([]);
  });

  it('reports output_fields pieces without an operator or with a bad key', async () => {
    expect(await syntaxErrorsOf(withMatch(`    output_fields:\n      - "proc.name"\n      - "=x, bad key=y"\n      - "a=1,"\n`))).toEqual([
      "r0.yaml:4: rule 'r': incorrect output field key 'proc.name'",
      "r0.yaml:5: rule 'r': incorrect output field key '=x'",
      "r0.yaml:5: rule 'r': incorrect output field key 'bad key=y'",
      "r0.yaml:6: rule 'r': incorrect output field key ''",
    ]);
  });

  it('does not run stage B: unknown actionners and notifiers pass', async () => {
    expect(await syntaxErrorsOf(`- rule: r\n  notifiers: [pager]\n  actions:\n    - action: a\n      actionner: made:up\n`)).toEqual([]);
  });
});

describe('stage B (semantic) errors', () => {
  it('reports an unknown actionner', async () => {
    expect(await errorsOf(withAction('      actionner: kubernetes:explode\n'))).toEqual([
      "r0.yaml:4: rule 'r', action 'a': unknown actionner 'kubernetes:explode'",
    ]);
  });

  it('reports each parameter schema issue with its path, at the parameter line', async () => {
    expect(
      await errorsOf(
        withAction(
          `      actionner: kubernetes:terminate\n      parameters:\n        grace_period_seconds: "5"\n        ignore_daemonsets: yes\n        grace_period: 5\n`,
        ),
      ),
    ).toEqual([
      "r0.yaml:6: rule 'r', action 'a': parameter 'grace_period_seconds': expected number, received string",
      "r0.yaml:7: rule 'r', action 'a': parameter 'ignore_daemonsets': expected boolean, received string",
    ]);
  });

  it('ignores unknown parameter keys, as Talon, with a warning at their line; the action runs without them', async () => {
    const text = withAction(`      actionner: kubernetes:terminate\n      parameters:\n        grace_period_seconds: 5\n        grace_period: 5\n`);
    expect(await warningsOf(text)).toEqual(["r0.yaml:7: warning: rule 'r', action 'a': unknown parameter 'grace_period' is ignored"]);
    const [rule] = await rulesOf(text);
    expect(Object.keys(rule?.actions[0]?.parameters ?? {})).toEqual(['grace_period_seconds']);
  });

  it('reports nested parameter issues and custom checker messages', async () => {
    expect(await errorsOf(withAction(`      actionner: kubernetes:label\n      parameters:\n        labels: {a: true}\n`))).toEqual([
      "r0.yaml:6: rule 'r', action 'a': parameter 'labels.a': expected string, received boolean",
    ]);
    expect(await errorsOf(withAction(`      actionner: kubernetes:label\n      parameters:\n        labels: {}\n`))).toEqual([
      "r0.yaml:6: rule 'r', action 'a': parameter 'labels': parameter 'labels' should have at least one label",
    ]);
    expect(await errorsOf(withAction(`      actionner: kubernetes:label\n`))).toEqual([
      "r0.yaml:4: rule 'r', action 'a': parameter 'labels': expected record, received undefined",
    ]);
  });

  it('reports a missing output for an actionner that requires one', async () => {
    expect(await errorsOf(withAction('      actionner: kubernetes:tcpdump\n'))).toEqual(["r0.yaml:3: rule 'r', action 'a': an output is required"]);
  });

  it('reports an unknown output target', async () => {
    expect(
      await errorsOf(withAction('      actionner: kubernetes:tcpdump\n      output:\n        target: ftp:server\n        parameters: {host: x}\n')),
    ).toEqual(["r0.yaml:6: rule 'r', action 'a': unknown output target 'ftp:server'"]);
  });

  it('reports missing output parameters in both stages', async () => {
    expect(await errorsOf(withAction('      actionner: kubernetes:tcpdump\n      output:\n        target: local:file\n'))).toEqual([
      "r0.yaml:5: rule 'r', action 'a': missing 'parameters' for the output",
      "r0.yaml:5: rule 'r', action 'a': output parameter 'destination': expected string, received undefined",
    ]);
  });

  it('checks output parameters with the output schema', async () => {
    expect(
      await errorsOf(
        withAction(
          '      actionner: kubernetes:tcpdump\n      output:\n        target: local:file\n        parameters:\n          destination: 42\n          mode: "0600"\n',
        ),
      ),
    ).toEqual(["r0.yaml:8: rule 'r', action 'a': output parameter 'destination': expected string, received number"]);
    expect(
      await warningsOf(
        withAction(
          '      actionner: kubernetes:tcpdump\n      output:\n        target: local:file\n        parameters:\n          destination: /tmp\n          mode: "0600"\n',
        ),
      ),
    ).toEqual(["r0.yaml:9: warning: rule 'r', action 'a': unknown output parameter 'mode' is ignored"]);
  });

  it('reports unknown notifier names (new check)', async () => {
    expect(
      await errorsOf(`- rule: r\n  notifiers:\n    - slack\n    - pagerduty\n  actions:\n    - action: a\n      actionner: kubernetes:terminate\n`),
    ).toEqual(["r0.yaml:4: rule 'r': unknown notifier 'pagerduty'"]);
  });

  it('reports unknown additional contexts at load, not at the first alert (new check)', async () => {
    expect(
      await errorsOf(`- rule: r\n  actions:\n    - action: a\n      actionner: kubernetes:terminate\n      additional_contexts: [k8snode, gcp]\n`),
    ).toEqual(["r0.yaml:3: rule 'r', action 'a': unknown context 'gcp'"]);
  });

  it('does not check action definitions no rule uses', async () => {
    expect(
      await errorsOf(
        `- action: unused\n  actionner: made:up\n  parameters: {x: 1}\n- rule: r\n  actions:\n    - action: a\n      actionner: kubernetes:terminate\n`,
      ),
    ).toEqual([]);
  });

  it('points errors of inherited values at the definition that wrote them', async () => {
    expect(
      await errorsOf(
        `- action: kill\n  actionner: kubernetes:terminate\n  parameters:\n    grace_period_seconds: soon\n`,
        `- rule: r\n  actions:\n    - action: kill\n`,
      ),
    ).toEqual(["r0.yaml:4: rule 'r', action 'kill': parameter 'grace_period_seconds': expected number, received string"]);
  });
});

describe('one pass over a broken file', () => {
  it('reports every error of every stage with its line, in line order', async () => {
    const errors = await errorsOf(`- action: lab
  actionner: kubernetes:label
  continue: yes
  parameters:
    labels: {quarantine: true}

- rule: first
  dry_run: "no"
  match:
    priority: Info
    tags: [bad-tag]
    output_fields: [proc.name]
  notifiers: [nobody]
  actions:
    - action: lab
    - action: other
      actionner: kubernetes:nothing
    - actionner: kubernetes:terminate

- rule: second

- description: neither
`);
    expect(errors).toEqual([
      "r0.yaml:3: action 'lab': 'continue' setting can be 'true' or 'false' only",
      "r0.yaml:5: rule 'first', action 'lab': parameter 'labels.quarantine': expected string, received boolean",
      "r0.yaml:8: rule 'first': 'dry_run' setting can be 'true' or 'false' only",
      "r0.yaml:10: rule 'first': incorrect priority 'Info'",
      "r0.yaml:11: rule 'first': incorrect tag 'bad-tag'",
      "r0.yaml:12: rule 'first': incorrect output field key 'proc.name'",
      "r0.yaml:13: rule 'first': unknown notifier 'nobody'",
      "r0.yaml:17: rule 'first', action 'other': unknown actionner 'kubernetes:nothing'",
      "r0.yaml:18: rule 'first': action without a name",
      "r0.yaml:20: rule 'second': no action specified",
    ]);
  });
});

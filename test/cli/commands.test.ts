import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionnerSpecs } from '../../activities/specs.ts';
import { runTalon } from '../support/cli.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'talon-cli-')), name);
  writeFileSync(path, text);
  return path;
}

const event = JSON.stringify({
  output: '10:20:30.123456789: Notice Unexpected connection (fd.sport=4444)',
  priority: 'Notice',
  rule: 'Unexpected outbound connection destination',
  tags: ['network', 'mitre_command_and_control'],
  output_fields: { 'fd.sport': 4444.0, 'fd.sip': '10.0.0.9' },
});

describe('talon CLI', () => {
  it('`rules check` passes on the shipped playbooks and examples', async () => {
    const result = await runTalon(['-c', 'playbooks/examples/config.yaml', 'rules', 'check']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rules file valid/);
    expect((await runTalon(['rules', 'check', '-r', 'playbooks/rules.yaml'])).code).toBe(0);
  });

  it('`rules check` loads what Falco Talon ignores with warnings (exit 0); `--strict` refuses it (exit 1)', async () => {
    // Keys Falco Talon's own examples carry and ignores: `allow` on networkpolicy, `force` on drain.
    const talonStyle = file(
      'talon-style.yaml',
      `- action: Disable outbound connections
  actionner: kubernetes:networkpolicy
  parameters:
    allow:
      - "192.168.1.0/24"
- action: Drain the node
  actionner: kubernetes:drain
  parameters:
    force: true
    ignore_daemonsets: true
- description: an item with neither rule nor action
- rule: Suspicious outbound connection
  match:
    rules: [Unexpected outbound connection destination]
  actions:
    - action: Disable outbound connections
    - action: Drain the node
`,
    );
    const result = await runTalon(['rules', 'check', '-r', talonStyle]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rules file valid (1 rules in 1 files, 3 warning(s))');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${talonStyle}:4: warning: rule 'Suspicious outbound connection', action 'Disable outbound connections': unknown parameter 'allow' is ignored`,
      `${talonStyle}:9: warning: rule 'Suspicious outbound connection', action 'Drain the node': unknown parameter 'force' is ignored`,
      `${talonStyle}:11: warning: an item without a non-empty 'rule' or 'action' key is ignored`,
    ]);
    const strict = await runTalon(['rules', 'check', '--strict', '-r', talonStyle]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('3 warning(s), refused by --strict');
    // The action runs without the ignored key: `rules match` shows what the workflow receives.
    const match = await runTalon(['rules', 'match', '-r', talonStyle], { input: event });
    expect(match.code).toBe(0);
    expect(JSON.parse(match.stdout).rules[0].actions.map((a: { parameters: object }) => Object.keys(a.parameters))).toEqual([[], ['ignore_daemonsets']]);
  });

  it("Talon's rule-file example with all 17 actionners loads unchanged: warnings for what Talon ignores, exit 0", async () => {
    const path = 'playbooks/examples/talon-rules.yaml';
    const used = new Set(
      (parse(readFileSync(path, 'utf8')) as { actionner?: string }[]).map((item) => item.actionner).filter((name): name is string => name !== undefined),
    );
    // All of Talon's 17; `http:request` is this project's own, which Talon would refuse.
    expect([...used].sort()).toEqual(
      actionnerSpecs
        .map((spec) => spec.name)
        .filter((name) => name !== 'http:request')
        .sort(),
    );
    expect(used.size).toBe(17);
    const result = await runTalon(['rules', 'check', '-r', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rules file valid (6 rules in 1 files, 3 warning(s))');
    expect(result.stderr).toMatch(/:17: warning: .*unknown parameter 'allow' is ignored/);
    expect(result.stderr).toMatch(/:93: warning: .*unknown parameter 'force' is ignored/);
    // `actionners list` and `talon rbac` read the same specs: every actionner is listed, and the
    // role covers the forensic ones' subresources.
    const list = await runTalon(['actionners', 'list']);
    expect(list.stdout.match(/^--- [a-z0-9]+:[a-z]+ ---$/gm)).toHaveLength(18);
    const rbac = await runTalon(['rbac', '-r', path]);
    for (const resource of ['pods/exec', 'pods/log', 'pods/ephemeralcontainers', 'jobs']) expect(rbac.stdout).toContain(`- ${resource}`);
  });

  it('`rules check` exits 1 listing every error with file and line', async () => {
    const broken = file(
      'broken.yaml',
      `- rule: one
  continue: maybe
  actions:
    - action: a
      actionner: http:request
      parameters: { url: "ftp://nope" }
- rule: two
  match: { priority: Info }
  actions:
    - action: b
      actionner: nope:nope
`,
    );
    const result = await runTalon(['rules', 'check', '-r', broken]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${broken}:2:`);
    expect(result.stderr).toContain("'continue' setting can be 'true' or 'false' only");
    expect(result.stderr).toContain("incorrect priority 'Info'");
    expect(result.stderr).toContain("unknown actionner 'nope:nope'");
    expect(result.stderr).toMatch(/invalid rules/);
  });

  it('`rules check` catches a notifier without configuration', async () => {
    const rules = file(
      'n.yaml',
      `- rule: r\n  notifiers: [webhook]\n  actions:\n    - action: a\n      actionner: http:request\n      parameters: { url: "http://x.example" }\n`,
    );
    const result = await runTalon(['rules', 'check', '-r', rules]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("notifiers.webhook: missing configuration for notifier 'webhook'");
  });

  it('`rules check` accepts the `aws` and `k8snode` additional contexts and refuses others', async () => {
    const rules = file(
      'ctx.yaml',
      `- rule: r\n  actions:\n    - action: a\n      actionner: aws:lambda\n      additional_contexts: [aws, k8snode]\n      parameters: { aws_lambda_name: responder }\n`,
    );
    const result = await runTalon(['rules', 'check', '-r', rules]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const unknown = file(
      'bad.yaml',
      `- rule: r\n  actions:\n    - action: a\n      actionner: aws:lambda\n      additional_contexts: [gcp]\n      parameters: { aws_lambda_name: responder }\n`,
    );
    const refused = await runTalon(['rules', 'check', '-r', unknown]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("unknown context 'gcp'");
  });

  it('`rules print` prints the merged rules as YAML', async () => {
    const result = await runTalon(['rules', 'print', '-r', 'playbooks/examples/merging.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('---\n')).toBe(true);
    expect(result.stdout).toContain('- rule: Suspicious outbound connection');
    expect(result.stdout).toContain('X-Severity: high');
  });

  it('`rules match` prints the rules and actions an event would run, from a file or stdin', async () => {
    const args = ['-c', 'playbooks/examples/config.yaml', 'rules', 'match'];
    const fromFile = await runTalon([...args, '--event', file('event.json', event)]);
    expect(fromFile.stderr).toBe('');
    const fromStdin = await runTalon(args, { input: event });
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    const parsed = JSON.parse(fromFile.stdout);
    expect(parsed.workflowId).toMatch(/^falco-[0-9a-f]{64}$/);
    expect(parsed.rules).toEqual([
      expect.objectContaining({
        rule: 'Suspicious outbound connection',
        dry_run: true,
        continue: true,
        actions: [
          expect.objectContaining({
            action: 'Notify the SOC',
            actionner: 'http:request',
            continue: true,
            ignore_errors: false,
            output: { target: 'local:file', parameters: { destination: '/tmp' } },
          }),
          expect.objectContaining({ action: 'Call the firewall', continue: false, output: null }),
        ],
      }),
    ]);
  });

  it('`rules match` exits 1 on an invalid event', async () => {
    const result = await runTalon(['rules', 'match', '-r', 'playbooks/rules.yaml'], { input: '{"output": 1}' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid event: .*output/);
  });

  it('lists actionners, outputs and notifiers from their descriptors', async () => {
    const actionners = await runTalon(['actionners', 'list']);
    expect(actionners.stdout).toContain('--- http:request ---');
    expect(actionners.stdout).toContain('url: string (required)');
    expect(actionners.stdout).toMatch(/method: '?GET \| POST \| PUT \| PATCH \| DELETE \| HEAD \(default: "POST"\)/);
    // A union parameter reads as its members, not as `any`.
    expect(actionners.stdout).toContain('min_healthy_replicas: integer | string');
    expect((await runTalon(['outputs', 'list'])).stdout).toContain('--- local:file ---');
    expect((await runTalon(['notifiers', 'list'])).stdout).toContain('--- webhook ---');
  });

  it('`version` prints the version', async () => {
    const result = await runTalon(['version']);
    expect(result.stdout).toMatch(/^Version:\s+\d+\.\d+\.\d+/m);
  });

  it('refuses an invalid configuration naming the key', async () => {
    const config = file('c.yaml', 'listen_port: lots\ntemporal:\n  adress: x\n');
    const result = await runTalon(['-c', config, 'rules', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('listen_port');
    expect(result.stderr).toContain('temporal.adress');
  });
});

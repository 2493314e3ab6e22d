import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog } from '../activities/specs.ts';
import { loadRules, type RuleSet } from '../src/rules/index.ts';

/** The Falco rule name every ingest/latency alert carries. */
export const BENCH_FALCO_RULE = 'Bench alert';

/**
 * One Falco alert body, distinct per `id` (the output text, hence the workflow ID, differs). The id
 * also travels as the output field `bench.id`, which rule templates see as `${BENCH_ID}`.
 */
export function alertBody(id: string): string {
  return JSON.stringify({
    output: `Bench shell in container (user=root id=${id})`,
    priority: 'Warning',
    rule: BENCH_FALCO_RULE,
    hostname: 'bench-node',
    time: '2026-11-24T10:00:00.000000000Z',
    source: 'syscall',
    output_fields: { 'bench.id': id, 'k8s.ns.name': 'bench', 'k8s.pod.name': `pod-${id}`, 'proc.name': 'bash' },
    tags: ['container', 'shell'],
  });
}

/**
 * One Talon rule on {@link BENCH_FALCO_RULE} whose single `http:request` action calls
 * `${actionUrl}/<id>`; with `local`, the action runs as a local activity (`local: true`).
 */
export function ingestRulesYaml(actionUrl: string, local = false): string {
  return [
    '- rule: bench call',
    '  match:',
    `    rules: ["${BENCH_FALCO_RULE}"]`,
    '  actions:',
    '    - action: call target',
    '      actionner: http:request',
    '      parameters:',
    `        url: "${actionUrl}/\${BENCH_ID}"`,
    '        method: POST',
    ...(local ? ['      local: true'] : []),
    '',
  ].join('\n');
}

/**
 * `count` Talon rules, each on its own Falco rule name `Bench rule <i>`; every 3rd also requires an
 * output field and every 5th a minimum priority, so the matcher does more than a name lookup.
 */
export function manyRulesYaml(count: number): string {
  const rules: string[] = [];
  for (let i = 0; i < count; i++) {
    const conditions = [`    rules: ["Bench rule ${i}"]`];
    // One list item, comma-separated: both conditions must hold (separate items would be OR).
    if (i % 3 === 0) conditions.push(`    output_fields: ["k8s.ns.name=ns-${i % 7}, proc.name!=sshd"]`);
    if (i % 5 === 0) conditions.push('    priority: ">=Warning"');
    rules.push(
      `- rule: bench rule ${i}`,
      '  match:',
      ...conditions,
      '  actions:',
      `    - action: call ${i}`,
      '      actionner: http:request',
      '      parameters: { url: "http://127.0.0.1:9/never" }',
    );
  }
  return `${rules.join('\n')}\n`;
}

/** Loads rule YAML through the real loader and registry (a temp file, removed after). */
export async function loadYaml(yaml: string): Promise<RuleSet> {
  const dir = mkdtempSync(join(tmpdir(), 'talon-bench-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, yaml);
    const loaded = await loadRules([file], catalog);
    if (!loaded.ok) throw new Error(`bench rules do not load:\n${loaded.errors.map(String).join('\n')}`);
    return loaded.ruleSet;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { loadRules, loadRulesSyntax, type RuleCatalog, type RuleError, type RuleSpec } from '../../src/rules/index.ts';

/** A small catalog with the shapes the tests need; the real registry lives in activities/. */
const actionners = new Map<string, { params: z.ZodType; needsOutput: boolean; allowsOutput: boolean }>([
  [
    'kubernetes:terminate',
    {
      params: z.object({ grace_period_seconds: z.number().int().optional(), ignore_daemonsets: z.boolean().optional() }).strict(),
      needsOutput: false,
      allowsOutput: false,
    },
  ],
  [
    'kubernetes:label',
    {
      params: z
        .object({
          labels: z.record(z.string(), z.string().nullable()).refine((l) => Object.keys(l).length > 0, "parameter 'labels' should have at least one label"),
          level: z.enum(['pod', 'node']).optional(),
        })
        .strict(),
      needsOutput: false,
      allowsOutput: false,
    },
  ],
  [
    'kubernetes:networkpolicy',
    {
      params: z.object({ allow_cidr: z.array(z.string()).optional(), allow_namespaces: z.array(z.string()).optional() }).strict(),
      needsOutput: false,
      allowsOutput: false,
    },
  ],
  ['kubernetes:tcpdump', { params: z.object({ duration: z.number().int().min(0).optional() }).strict(), needsOutput: true, allowsOutput: true }],
  ['kubernetes:log', { params: z.object({ tail_lines: z.number().int().optional() }).strict(), needsOutput: false, allowsOutput: true }],
]);

const outputs = new Map<string, { params: z.ZodType }>([
  ['local:file', { params: z.object({ destination: z.string() }).strict() }],
  [
    'aws:s3',
    {
      params: z
        .object({ bucket: z.string(), prefix: z.string().optional(), tags: z.array(z.string()).optional(), meta: z.record(z.string(), z.string()).optional() })
        .strict(),
    },
  ],
]);

export const catalog: RuleCatalog = {
  actionner: (name) => actionners.get(name),
  output: (name) => outputs.get(name),
  hasNotifier: (name) => name === 'slack' || name === 'k8sevents',
  hasContext: (name) => name === 'k8snode' || name === 'aws',
};

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'talon-rules-test-'));
}

/** Writes each `name → text` into a fresh directory; returns the paths in the given order. */
export function writeFiles(files: Record<string, string>, dir = tempDir()): string[] {
  return Object.entries(files).map(([name, text]) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  });
}

/** Loads YAML texts (one file each, in order) through both stages; throws on errors. */
export async function rulesOf(...texts: string[]): Promise<RuleSpec[]> {
  const loaded = await loadRules(writeFiles(Object.fromEntries(texts.map((t, i) => [`r${i}.yaml`, t]))), catalog);
  if (!loaded.ok) throw new Error(loaded.errors.map(String).join('\n'));
  return [...loaded.ruleSet.rules];
}

/** Loads YAML texts through both stages; returns the formatted errors (file names: r0.yaml…). */
export async function errorsOf(...texts: string[]): Promise<string[]> {
  const dir = tempDir();
  const loaded = await loadRules(writeFiles(Object.fromEntries(texts.map((t, i) => [`r${i}.yaml`, t])), dir), catalog);
  return loaded.ok ? [] : loaded.errors.map((e: RuleError) => e.toString().replaceAll(`${dir}/`, ''));
}

/** Loads YAML texts through both stages; returns the formatted warnings (what Falco Talon ignores). */
export async function warningsOf(...texts: string[]): Promise<string[]> {
  const dir = tempDir();
  const loaded = await loadRules(writeFiles(Object.fromEntries(texts.map((t, i) => [`r${i}.yaml`, t])), dir), catalog);
  return loaded.warnings.map((w) => w.toString().replaceAll(`${dir}/`, ''));
}

/** Like errorsOf, stage A only. */
export async function syntaxErrorsOf(...texts: string[]): Promise<string[]> {
  const dir = tempDir();
  const loaded = await loadRulesSyntax(writeFiles(Object.fromEntries(texts.map((t, i) => [`r${i}.yaml`, t])), dir));
  return loaded.ok ? [] : loaded.errors.map((e) => e.toString().replaceAll(`${dir}/`, ''));
}

export function event(overrides: Partial<FalcoEvent> = {}): FalcoEvent {
  return {
    output: 'an alert',
    priority: 'Warning',
    rule: 'Terminal shell in container',
    hostname: 'node-1',
    time: null,
    source: 'syscall',
    output_fields: {},
    tags: [],
    ...overrides,
  };
}

/** A rule with one valid action, for tests about other parts. */
export function ruleYaml(name: string, extra = ''): string {
  return `- rule: ${name}\n${extra}  actions:\n    - action: t\n      actionner: kubernetes:terminate\n`;
}

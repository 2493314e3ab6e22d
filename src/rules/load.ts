import type { RuleCatalog } from './catalog.ts';
import type { RuleError } from './errors.ts';
import { readRuleFiles } from './parse-file.ts';
import { buildRules } from './pipeline.ts';
import { createRuleSet, type RuleSet } from './rule-set.ts';
import type { RuleSpec } from './types.ts';

/** `warnings` (what Falco Talon ignores) come with either outcome. */
export type LoadResult = { ok: true; ruleSet: RuleSet; warnings: RuleError[] } | { ok: false; errors: RuleError[]; warnings: RuleError[] };

export type SyntaxResult = { ok: true; rules: RuleSpec[]; warnings: RuleError[] } | { ok: false; errors: RuleError[]; warnings: RuleError[] };

/**
 * Reads the rule files (a directory stands for its `*.yaml`/`*.yml` files), merges them and runs
 * both validation stages. On failure, every problem found, ordered by file and line.
 */
export async function loadRules(paths: readonly string[], catalog: RuleCatalog): Promise<LoadResult> {
  const read = await readRuleFiles(paths);
  const built = buildRules(read, read.files, catalog);
  return built.ok ? { ok: true, ruleSet: createRuleSet(built.rules, read.files), warnings: built.warnings } : built;
}

/** Like {@link loadRules} with stage A only, for `rules print`. */
export async function loadRulesSyntax(paths: readonly string[]): Promise<SyntaxResult> {
  const read = await readRuleFiles(paths);
  return buildRules(read, read.files);
}

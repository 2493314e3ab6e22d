import type { RuleCatalog } from './catalog.ts';
import { compileRule } from './compile.ts';
import { sortRuleErrors, type RuleError } from './errors.ts';
import { inheritDefinitions } from './inherit.ts';
import { foldDefinitions, foldRules } from './merge.ts';
import type { ParsedSource } from './parse-file.ts';
import { pruneUnknownParameters } from './prune-params.ts';
import type { RuleSpec } from './types.ts';
import { validateSemantic } from './validate-semantic.ts';
import { validateSyntax } from './validate-syntax.ts';

/** `warnings`: what Falco Talon ignores; the rules load with them, `rules check --strict` fails. */
export type PipelineResult = { ok: true; rules: RuleSpec[]; warnings: RuleError[] } | { ok: false; errors: RuleError[]; warnings: RuleError[] };

/**
 * Parsed items → merged, validated, compiled rules, collecting every problem in one pass. Without a
 * catalog only stage A runs (`rules print`). Pure: file reading happens before.
 */
export function buildRules(parsed: ParsedSource, files: readonly string[], catalog?: RuleCatalog): PipelineResult {
  const problems: RuleError[] = [...parsed.errors];
  const result = () => {
    const sorted = sortRuleErrors(problems, files);
    return { errors: sorted.filter((p) => p.severity === 'error'), warnings: sorted.filter((p) => p.severity === 'warning') };
  };
  // A file that is not valid YAML contributes nothing; checking the rest would report problems
  // (an action defined in the broken file "missing") that are only echoes of the syntax error.
  if (parsed.broken) return { ok: false, ...result() };
  const report = (problem: RuleError): void => {
    problems.push(problem);
  };
  const definitions = foldDefinitions(parsed.items.definitions, report);
  let rules = inheritDefinitions(foldRules(parsed.items.rules), definitions, report);
  problems.push(...validateSyntax(rules));
  if (catalog !== undefined) {
    rules = pruneUnknownParameters(rules, catalog, report);
    problems.push(...validateSemantic(rules, catalog));
  }
  const { errors, warnings } = result();
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, rules: rules.map(compileRule), warnings };
}

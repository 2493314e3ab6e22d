import type { RuleCatalog } from './catalog.ts';
import { compileRule } from './compile.ts';
import { sortRuleErrors, type RuleError } from './errors.ts';
import { inheritDefinitions } from './inherit.ts';
import { foldDefinitions, foldRules } from './merge.ts';
import type { ParsedSource } from './parse-file.ts';
import type { RuleSpec } from './types.ts';
import { validateSemantic } from './validate-semantic.ts';
import { validateSyntax } from './validate-syntax.ts';

export type PipelineResult = { ok: true; rules: RuleSpec[] } | { ok: false; errors: RuleError[] };

/**
 * Parsed items → merged, validated, compiled rules, collecting every error in one pass. Without a
 * catalog only stage A runs (`rules print`). Pure: file reading happens before.
 */
export function buildRules(parsed: ParsedSource, files: readonly string[], catalog?: RuleCatalog): PipelineResult {
  const errors: RuleError[] = [...parsed.errors];
  // A file that is not valid YAML contributes nothing; checking the rest would report problems
  // (an action defined in the broken file "missing") that are only echoes of the syntax error.
  if (parsed.broken) return { ok: false, errors: sortRuleErrors(errors, files) };
  const report = (error: RuleError): void => {
    errors.push(error);
  };
  const definitions = foldDefinitions(parsed.items.definitions, report);
  const rules = inheritDefinitions(foldRules(parsed.items.rules), definitions, report);
  errors.push(...validateSyntax(rules));
  if (catalog !== undefined) errors.push(...validateSemantic(rules, catalog));
  if (errors.length > 0) return { ok: false, errors: sortRuleErrors(errors, files) };
  return { ok: true, rules: rules.map(compileRule) };
}

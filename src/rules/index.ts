/**
 * Talon rule files: parsing, merging, validation, matching and reloading. The rest of the system
 * uses only what this module exports.
 */
export { RuleError, formatRuleErrors, type RuleErrorFields } from './errors.ts';
export { formatRules } from './format.ts';
export { loadRules, loadRulesSyntax, type LoadResult, type SyntaxResult } from './load.ts';
export { rulesToRun, type RuleSet } from './rule-set.ts';
export { watchRules, type WatchOptions } from './watch.ts';
export type { RuleCatalog } from './catalog.ts';
export type * from './types.ts';

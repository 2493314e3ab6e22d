import { catalog } from '../../../activities/specs.ts';
import type { TalonConfig } from '../../config/schema.ts';
import type { CommandResult } from './result.ts';
import { checkNotifierConfigs, notifiersInUse } from '../../roles/notifier-config.ts';
import { formatRules, loadRules, loadRulesSyntax, type RuleError } from '../../rules/index.ts';

/** Warnings first, one per line, as `file:line: warning: …`. */
function warningText(warnings: readonly RuleError[]): string {
  return warnings.map((warning) => `${warning.toString()}\n`).join('');
}

/**
 * `rules check`: both validation stages plus notifier configuration; every error in one pass.
 * Warnings (what Falco Talon ignores) are printed and pass, unless `strict`.
 */
export async function rulesCheck(config: TalonConfig, strict = false): Promise<CommandResult> {
  const loaded = await loadRules(config.rules_files, catalog);
  const warnings = warningText(loaded.warnings);
  if (!loaded.ok) return { stdout: '', stderr: `${warnings}${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  const notifierErrors = checkNotifierConfigs(config, notifiersInUse(config, loaded.ruleSet.rules));
  if (notifierErrors.length > 0) return { stdout: '', stderr: `${warnings}${notifierErrors.join('\n')}\ninvalid notifier configuration\n`, code: 1 };
  if (strict && loaded.warnings.length > 0) return { stdout: '', stderr: `${warnings}${loaded.warnings.length} warning(s), refused by --strict\n`, code: 1 };
  const counts = `${loaded.ruleSet.rules.length} rules in ${loaded.ruleSet.files.length} files`;
  const noted = loaded.warnings.length > 0 ? `, ${loaded.warnings.length} warning(s)` : '';
  return { stdout: `rules file valid (${counts}${noted})\n`, stderr: warnings, code: 0 };
}

/** `rules print`: the merged rules after syntax checks (stage A), as YAML. */
export async function rulesPrint(config: TalonConfig): Promise<CommandResult> {
  const loaded = await loadRulesSyntax(config.rules_files);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  return { stdout: formatRules(loaded.rules), stderr: '', code: 0 };
}

import { catalog } from '../../../activities/specs.ts';
import type { TalonConfig } from '../../config/schema.ts';
import type { CommandResult } from './result.ts';
import { checkNotifierConfigs, notifiersInUse } from '../../roles/notifier-config.ts';
import { formatRules, loadRules, loadRulesSyntax } from '../../rules/index.ts';

/** `rules check`: both validation stages plus notifier configuration; every error in one pass. */
export async function rulesCheck(config: TalonConfig): Promise<CommandResult> {
  const loaded = await loadRules(config.rules_files, catalog);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  const notifierErrors = checkNotifierConfigs(config, notifiersInUse(config, loaded.ruleSet.rules));
  if (notifierErrors.length > 0) return { stdout: '', stderr: `${notifierErrors.join('\n')}\ninvalid notifier configuration\n`, code: 1 };
  return { stdout: `rules file valid (${loaded.ruleSet.rules.length} rules in ${loaded.ruleSet.files.length} files)\n`, stderr: '', code: 0 };
}

/** `rules print`: the merged rules after syntax checks (stage A), as YAML. */
export async function rulesPrint(config: TalonConfig): Promise<CommandResult> {
  const loaded = await loadRulesSyntax(config.rules_files);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  return { stdout: formatRules(loaded.rules), stderr: '', code: 0 };
}

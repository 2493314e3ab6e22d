import { readFile } from 'node:fs/promises';
import { catalog } from '../../../activities/registry.ts';
import type { TalonConfig } from '../../config/schema.ts';
import { decodeEvent } from '../../events/decode.ts';
import { workflowIdFor } from '../../events/id.ts';
import { planRules } from '../../plan/build.ts';
import { checkNotifierConfigs, notifiersInUse } from '../../roles/notifier-config.ts';
import { formatRules, loadRules, loadRulesSyntax, rulesToRun } from '../../rules/index.ts';

/** Output of a command: text for stdout, text for stderr, exit code. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

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

/** `rules match`: which rules and actions an event would run, in order, with effective flags. */
export async function rulesMatch(config: TalonConfig, eventText: string): Promise<CommandResult> {
  const loaded = await loadRules(config.rules_files, catalog);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  const decoded = decodeEvent(eventText);
  if (!decoded.ok) return { stdout: '', stderr: `invalid event: ${decoded.error}\n`, code: 1 };
  const planned = planRules(rulesToRun(loaded.ruleSet.match(decoded.event)), config.default_notifiers);
  const result = {
    workflowId: workflowIdFor(decoded.event),
    rules: planned.map((rule) => ({
      rule: rule.name,
      dry_run: rule.dryRun === true,
      continue: rule.continue !== false,
      notifiers: rule.notifiers,
      actions: rule.actions.map((a) => ({
        action: a.name,
        actionner: a.actionner,
        parameters: a.parameters,
        output: a.output ?? null,
        continue: a.effectiveContinue,
        ignore_errors: a.effectiveIgnoreErrors,
        retry: a.retry,
        timeout: a.timeout,
      })),
    })),
  };
  return { stdout: `${JSON.stringify(result, null, 2)}\n`, stderr: '', code: 0 };
}

/** Reads the event from a file, or from standard input when no file is given. */
export async function readEvent(file: string | undefined): Promise<string> {
  if (file) return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

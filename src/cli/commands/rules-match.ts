import { readFile } from 'node:fs/promises';
import { catalog } from '../../../activities/specs.ts';
import type { TalonConfig } from '../../config/schema.ts';
import { decodeEvent } from '../../events/decode.ts';
import { workflowIdFor } from '../../events/id.ts';
import { planEvent } from '../../plan/plan.ts';
import { planSettingsFrom } from '../../plan/settings.ts';
import { loadRules } from '../../rules/index.ts';
import type { CommandResult } from './result.ts';

/** `rules match`: which rules and actions an event would run, in order, with effective flags. */
export async function rulesMatch(config: TalonConfig, eventText: string): Promise<CommandResult> {
  const loaded = await loadRules(config.rules_files, catalog);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  const decoded = decodeEvent(eventText);
  if (!decoded.ok) return { stdout: '', stderr: `invalid event: ${decoded.error}\n`, code: 1 };
  const plan = planEvent(decoded.event, loaded.ruleSet, planSettingsFrom(config));
  const result = {
    workflowId: plan?.workflowId ?? workflowIdFor(decoded.event),
    rules: (plan?.input.rules ?? []).map((rule) => ({
      rule: rule.name,
      dry_run: rule.dryRun === true,
      ...(rule.approval ? { approval: rule.approval } : {}),
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
        ...(a.approval ? { approval: a.approval } : {}),
        ...(a.expireAfter ? { expire_after: a.expireAfter } : {}),
        ...(a.destructive ? { destructive: true } : {}),
      })),
    })),
  };
  return { stdout: `${JSON.stringify(result, null, 2)}\n`, stderr: '', code: 0 };
}

/** Reads the event from a file, or from standard input when no file is given. */
export async function readEvent(file: string | undefined): Promise<string> {
  if (file) return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

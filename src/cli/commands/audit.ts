import type { Client } from '@temporalio/client';
import { catalog } from '../../../activities/specs.ts';
import type { TalonConfig } from '../../config/schema.ts';
import type { PlaybookReport, Progress, RuleReport, StoredArtifact } from '../../contract/index.ts';
import { namespace, podName } from '../../events/fields.ts';
import { planSettingsFrom } from '../../plan/settings.ts';
import { whatIf, whatIfText } from '../../plan/whatif.ts';
import { loadRules } from '../../rules/index.ts';
import { connectClient } from '../../temporal/connection.ts';
import { findRuns, runInput, runsQuery, type RunFilter } from '../../temporal/runs.ts';
import type { CommandResult } from './result.ts';

// `talon whatif` and `talon history`: read-only views of past alerts, from Temporal's visibility
// and histories — the same facts the Temporal UI shows.

async function withClient(config: TalonConfig, run: (client: Client) => Promise<CommandResult>): Promise<CommandResult> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.embedded.port}`;
  const client = await connectClient(config.temporal, address, config.encryption.keys);
  try {
    return await run(client);
  } finally {
    await client.connection.close();
  }
}

export interface WhatIfOptions extends RunFilter {
  readonly limit: number;
  readonly json?: boolean;
  /** Exit 3 when the proposed rules add destructive actions (for CI). */
  readonly failOnDestructive?: boolean;
}

/** Plans past alerts against the rules in force (`current`) and the proposed ones; never starts anything. */
export async function whatif(current: TalonConfig, proposedFiles: readonly string[], options: WhatIfOptions): Promise<CommandResult> {
  if (proposedFiles.length === 0) return { stdout: '', stderr: 'talon whatif: name the proposed rules with -r FILE\n', code: 1 };
  const [inForce, proposed] = await Promise.all([loadRules(current.rules_files, catalog), loadRules(proposedFiles, catalog)]);
  for (const [what, loaded] of [
    ['rules in force', inForce],
    ['proposed rules', proposed],
  ] as const) {
    if (!loaded.ok) return { stdout: '', stderr: `${what}:\n${loaded.errors.map(String).join('\n')}\n`, code: 1 };
  }
  if (!inForce.ok || !proposed.ok) return { stdout: '', stderr: '', code: 1 };
  return withClient(current, async (client) => {
    const runs = await findRuns(client, runsQuery(options), options.limit);
    const alerts = await Promise.all(runs.map(async (run) => ({ workflowId: run.workflowId, event: (await runInput(client, run)).event })));
    const result = whatIf(alerts, inForce.ruleSet, proposed.ruleSet, planSettingsFrom(current));
    const code = options.failOnDestructive && result.destructiveAdded > 0 ? 3 : 0;
    return { stdout: options.json ? `${JSON.stringify(result)}\n` : whatIfText(result), stderr: '', code };
  });
}

interface HistoryEntry {
  readonly workflowId: string;
  readonly startTime: string;
  readonly status: string;
  readonly outcome?: string;
  readonly falcoRule: string;
  readonly pod?: string;
  readonly output: string;
  readonly rules: readonly {
    readonly rule: string;
    readonly actions: readonly {
      readonly action: string;
      readonly actionner: string;
      readonly status: string;
      readonly result?: string;
      readonly artifact?: StoredArtifact;
    }[];
  }[];
}

/** What each run did: its report when it has finished, its progress while it runs. */
async function entryOf(client: Client, run: Awaited<ReturnType<typeof findRuns>>[number]): Promise<HistoryEntry> {
  const handle = client.workflow.getHandle(run.workflowId, run.runId);
  const input = await runInput(client, run);
  let rules: readonly RuleReport[] = [];
  let outcome: string | undefined;
  if (run.status === 'COMPLETED') {
    const report = (await handle.result()) as PlaybookReport;
    rules = report.rules;
    outcome = report.outcome;
  } else if (run.status === 'RUNNING') {
    rules = (await handle.query<Progress>('progress')).rules;
  }
  const pod = podName(input.event);
  return {
    workflowId: run.workflowId,
    startTime: run.startTime.toISOString(),
    status: run.status,
    ...(outcome ? { outcome } : {}),
    falcoRule: input.event.rule,
    ...(pod ? { pod: `${namespace(input.event)}/${pod}` } : {}),
    output: input.event.output,
    rules: rules.map((r) => ({
      rule: r.rule,
      actions: r.actions.map((a) => ({
        action: a.action,
        actionner: a.actionner,
        status: a.status,
        ...(a.result ? { result: a.result } : {}),
        ...(a.output?.artifact ? { artifact: a.output.artifact } : {}),
      })),
    })),
  };
}

function historyText(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'no runs match\n';
  const lines: string[] = [];
  for (const e of entries) {
    lines.push(`${e.startTime}  ${e.workflowId}  ${e.status}${e.outcome ? ` (${e.outcome})` : ''}  ${e.falcoRule}${e.pod ? ` → ${e.pod}` : ''}`);
    for (const r of e.rules)
      for (const a of r.actions) {
        lines.push(`  ${r.rule} / ${a.action} (${a.actionner}): ${a.status}${a.result ? ` — ${a.result}` : ''}`);
        if (a.artifact) lines.push(`    artifact ${a.artifact.location}  ${a.artifact.size} bytes  sha256 ${a.artifact.sha256}`);
      }
  }
  return `${lines.join('\n')}\n`;
}

/** `talon history`: what was done, when, by which rule, with which outcome and artifacts. */
export function history(config: TalonConfig, options: RunFilter & { limit: number; json?: boolean }): Promise<CommandResult> {
  return withClient(config, async (client) => {
    const runs = await findRuns(client, runsQuery(options), options.limit);
    const entries = await Promise.all(runs.map((run) => entryOf(client, run)));
    return { stdout: options.json ? `${JSON.stringify(entries, null, 2)}\n` : historyText(entries), stderr: '', code: 0 };
  });
}

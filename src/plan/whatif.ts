import type { FalcoEvent, PlannedRule } from '../contract/index.ts';
import type { RuleSet } from '../rules/index.ts';
import { planEvent, type PlanSettings } from './plan.ts';

// `talon whatif`: each past alert planned against the rules in force and the proposed ones; the
// difference, by rule and action, destructive changes first. Pure: the CLI reads the alerts.

/** One planned step, as compared: the Talon rule, the action and its actionner. */
export interface Step {
  readonly rule: string;
  readonly action: string;
  readonly actionner: string;
  readonly dryRun: boolean;
  readonly destructive: boolean;
}

export interface StepChange extends Step {
  readonly change: 'added' | 'removed';
  /** Alerts whose plan gains (or loses) this step. */
  readonly count: number;
  /** Up to three of their workflow IDs. */
  readonly examples: readonly string[];
}

export interface WhatIf {
  readonly alerts: number;
  /** Alerts whose planned steps differ. */
  readonly changed: number;
  readonly destructiveAdded: number;
  readonly destructiveRemoved: number;
  readonly changes: readonly StepChange[];
}

/** What actually runs for real: steps of dry-run rules do nothing, so they count as dry runs. */
function steps(rules: readonly PlannedRule[] | undefined): Step[] {
  return (rules ?? []).flatMap((rule) =>
    rule.actions.map((a) => ({ rule: rule.name, action: a.name, actionner: a.actionner, dryRun: rule.dryRun === true, destructive: a.destructive === true })),
  );
}

const keyOf = (s: Step) => JSON.stringify([s.rule, s.action, s.actionner, s.dryRun]);

/** Compares the plans of `alerts` under `current` and `proposed` rules. */
export function whatIf(alerts: readonly { workflowId: string; event: FalcoEvent }[], current: RuleSet, proposed: RuleSet, settings: PlanSettings): WhatIf {
  const changes = new Map<string, { step: Step; change: 'added' | 'removed'; count: number; examples: string[] }>();
  let changed = 0;
  for (const { workflowId, event } of alerts) {
    const before = new Map(steps(planEvent(event, current, settings)?.input.rules).map((s) => [keyOf(s), s]));
    const after = new Map(steps(planEvent(event, proposed, settings)?.input.rules).map((s) => [keyOf(s), s]));
    const diff = [
      ...[...after].filter(([k]) => !before.has(k)).map(([, step]) => ({ step, change: 'added' as const })),
      ...[...before].filter(([k]) => !after.has(k)).map(([, step]) => ({ step, change: 'removed' as const })),
    ];
    if (diff.length > 0) changed++;
    for (const { step, change } of diff) {
      const key = `${change}:${keyOf(step)}`;
      const entry = changes.get(key) ?? { step, change, count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < 3) entry.examples.push(workflowId);
      changes.set(key, entry);
    }
  }
  const list = [...changes.values()]
    .map(({ step, change, count, examples }) => ({ ...step, change, count, examples }))
    // Destructive real actions first, then by how many alerts they touch.
    .sort((a, b) => Number(b.destructive && !b.dryRun) - Number(a.destructive && !a.dryRun) || b.count - a.count);
  const destructive = (change: 'added' | 'removed') => list.filter((c) => c.change === change && c.destructive && !c.dryRun).reduce((n, c) => n + c.count, 0);
  return { alerts: alerts.length, changed, destructiveAdded: destructive('added'), destructiveRemoved: destructive('removed'), changes: list };
}

/** The report people read. */
export function whatIfText(result: WhatIf): string {
  const lines = [`${result.alerts} past alerts, ${result.changed} would be handled differently`];
  if (result.destructiveAdded || result.destructiveRemoved) {
    lines.push(`destructive actions: +${result.destructiveAdded} / -${result.destructiveRemoved}`);
  }
  for (const c of result.changes) {
    const flag = c.destructive && !c.dryRun ? ' [destructive]' : c.dryRun ? ' [dry run]' : '';
    lines.push(
      `${c.change === 'added' ? '+' : '-'} ${c.count} × rule '${c.rule}', action '${c.action}' (${c.actionner})${flag}  e.g. ${c.examples.join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

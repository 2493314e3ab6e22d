import type { PlannedAction, PlannedRule, TalonContext } from '../src/contract/index.ts';

/** The Talon context added before every action (reference §5.1); unset entries are left out. */
export function talonContext(rule: PlannedRule, action: PlannedAction): TalonContext {
  const entries: [string, string | undefined][] = [
    ['falco-talon.rule', rule.name],
    ['falco-talon.rule.continue', rule.continue?.toString()],
    ['falco-talon.rule.dry_run', rule.dryRun?.toString()],
    ['falco-talon.action', action.name],
    ['falco-talon.action.continue', action.continue?.toString()],
    ['falco-talon.action.ignore_errors', action.ignoreErrors?.toString()],
    ['falco-talon.action.parameters', JSON.stringify(action.parameters)],
    ['falco-talon.actionner', action.actionner],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

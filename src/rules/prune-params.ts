import { z } from 'zod';
import type { RuleCatalog } from './catalog.ts';
import { RuleError } from './errors.ts';
import type { RawAction, RawParams, RawRule } from './raw.ts';

/**
 * Unknown parameter keys (`allow` on kubernetes:networkpolicy, `force` on kubernetes:drain): Falco
 * Talon ignores them, so they are dropped here with a warning naming file and line, and the action
 * runs without them. Only keys an object schema does not declare are dropped; every other problem
 * stays for validation.
 */

type Warn = (action: RawAction, reason: string, pos: RawAction['pos']) => void;

function knownKeys(schema: z.ZodType): ReadonlySet<string> | undefined {
  return schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : undefined;
}

function prune(params: RawParams, schema: z.ZodType | undefined, label: string, action: RawAction, warn: Warn): RawParams {
  const known = schema === undefined ? undefined : knownKeys(schema);
  if (known === undefined) return params;
  const kept = new Map(params);
  for (const [key, param] of params) {
    if (known.has(key)) continue;
    kept.delete(key);
    warn(action, `unknown ${label} '${key}' is ignored`, param.pos);
  }
  return kept.size === params.size ? params : kept;
}

function pruneAction(action: RawAction, catalog: RuleCatalog, warn: Warn): RawAction {
  const actionner = action.actionner === undefined ? undefined : catalog.actionner(action.actionner.value);
  const parameters = prune(action.parameters, actionner?.params, 'parameter', action, warn);
  const output = action.output;
  const target = output?.target === undefined ? undefined : catalog.output(output.target.value);
  const outputParameters = output === undefined ? undefined : prune(output.parameters, target?.params, 'output parameter', action, warn);
  if (parameters === action.parameters && outputParameters === output?.parameters) return action;
  return { ...action, parameters, ...(output && outputParameters ? { output: { ...output, parameters: outputParameters } } : {}) };
}

/** The rules without the parameter keys their actionners and outputs do not know, each reported. */
export function pruneUnknownParameters(rules: readonly RawRule[], catalog: RuleCatalog, report: (warning: RuleError) => void): RawRule[] {
  return rules.map((rule) => {
    const warn: Warn = (action, reason, pos) => report(new RuleError({ ...pos, rule: rule.name, action: action.name, reason, severity: 'warning' }));
    const actions = rule.actions.map((action) => pruneAction(action, catalog, warn));
    return actions.every((action, i) => action === rule.actions[i]) ? rule : { ...rule, actions };
  });
}

import type { z } from 'zod';
import type { Json } from '../contract/index.ts';
import type { RuleCatalog } from './catalog.ts';
import { durationMs } from '../contract/durations.ts';
import { RuleError } from './errors.ts';
import type { Pos, RawAction, RawParams, RawRule } from './raw.ts';

/**
 * Stage B (reference §3.2) on merged rules: actionners, outputs and notifiers must exist and
 * parameters must satisfy their zod schemas. Only actions used by rules are checked. New compared
 * with the reference: unknown notifier names, unknown additional contexts and unknown parameter
 * keys (for strict schemas).
 */

type Add = (pos: Pos, reason: string) => void;

function pathText(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** Zod v4 prefixes type errors with "Invalid input: "; the parameter path already says where. */
function issueText(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function checkParams(schema: z.ZodType, params: RawParams, label: string, fallback: Pos, add: Add): void {
  const input: { [key: string]: Json } = Object.fromEntries([...params].map(([key, param]) => [key, param.value]));
  const result = schema.safeParse(input);
  if (result.success) return;
  const posOf = (key: PropertyKey | undefined): Pos => (typeof key === 'string' ? params.get(key)?.pos : undefined) ?? fallback;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = pathText([...issue.path, key]);
        add(posOf(issue.path[0] ?? key), `unknown ${label} '${path}'`);
      }
    } else if (issue.path.length === 0) {
      add(fallback, issueText(issue.message));
    } else {
      add(posOf(issue.path[0]), `${label} '${pathText(issue.path)}': ${issueText(issue.message)}`);
    }
  }
}

function checkAction(action: RawAction, catalog: RuleCatalog, add: Add): void {
  const actionner = action.actionner;
  if (actionner === undefined) return; // stage A reports it
  const descriptor = catalog.actionner(actionner.value);
  if (descriptor === undefined) add(actionner.pos, `unknown actionner '${actionner.value}'`);
  else checkParams(descriptor.params, action.parameters, 'parameter', actionner.pos, add);
  if (action.expireAfter !== undefined && descriptor !== undefined && descriptor.undo === undefined) {
    const undoable = catalog.undoable?.() ?? [];
    add(action.expireAfter.pos, `'expire_after' needs an actionner that can undo its change (${undoable.join(', ')}); '${actionner.value}' cannot`);
  }
  if (action.local?.value === true) checkLocal(action, action.local.pos, descriptor?.timeout, add);
  // The reference fails only when the action runs (`unknown context`); a rule file is refused here.
  for (const context of action.additionalContexts) {
    if (!catalog.hasContext(context)) add(action.pos, `unknown context '${context}'`);
  }
  const output = action.output;
  if (output?.target === undefined) {
    if (descriptor?.needsOutput === true) add(action.pos, 'an output is required');
    return;
  }
  const target = catalog.output(output.target.value);
  if (target === undefined) add(output.target.pos, `unknown output target '${output.target.value}'`);
  else checkParams(target.params, output.parameters, 'output parameter', output.pos, add);
}

/** Every stage-B problem of every rule. */
export function validateSemantic(rules: readonly RawRule[], catalog: RuleCatalog): RuleError[] {
  const errors: RuleError[] = [];
  for (const rule of rules) {
    for (const notifier of rule.notifiers) {
      if (!catalog.hasNotifier(notifier.value)) {
        errors.push(new RuleError({ ...notifier.pos, rule: rule.name, reason: `unknown notifier '${notifier.value}'` }));
      }
    }
    for (const action of rule.actions) {
      checkAction(action, catalog, (pos, reason) => errors.push(new RuleError({ ...pos, rule: rule.name, action: action.name, reason })));
    }
  }
  return errors;
}

/** Longest attempt a local activity may take: it runs inside a workflow task and cannot heartbeat. */
const LOCAL_MAX_MINUTES = 1;

/** `local: true` is for short calls: no artifact to stream, nothing to undo later, a bounded attempt. */
function checkLocal(action: RawAction, pos: Pos, specTimeout: string | undefined, add: Add): void {
  if (action.output !== undefined) add(pos, `'local' cannot be combined with 'output': an artifact is streamed by a regular activity`);
  if (action.expireAfter !== undefined) add(pos, `'local' cannot be combined with 'expire_after'`);
  const timeout = action.timeout ?? specTimeout;
  const ms = durationMs(timeout);
  if (ms !== undefined && ms > LOCAL_MAX_MINUTES * 60_000)
    add(pos, `'local' needs a timeout of at most ${LOCAL_MAX_MINUTES}m (this action's is ${timeout}): a local activity cannot heartbeat`);
}

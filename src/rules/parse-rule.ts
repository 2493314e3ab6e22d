import { isMap, isSeq, type Node } from 'yaml';
import { parseAction } from './parse-action.ts';
import { readApproval } from './parse-extensions.ts';
import type { RawAction, RawMatch, RawRule } from './raw.ts';
import {
  fail,
  fieldsOf,
  isAbsent,
  posOf,
  readBoolean,
  readLocatedString,
  readString,
  readStringList,
  resolve,
  type Field,
  type NodeCtx,
} from './yaml-nodes.ts';

function readMatch(ctx: NodeCtx, field: Field | undefined): RawMatch {
  const empty: RawMatch = { rules: [], tags: [], outputFields: [] };
  if (field === undefined || isAbsent(field)) return empty;
  if (!isMap(field.value)) {
    fail(ctx, field.value ?? field.key, `'match' must be a map`);
    return empty;
  }
  const fields = fieldsOf(ctx, field.value);
  const match: { -readonly [K in keyof RawMatch]: RawMatch[K] } = {
    rules: readStringList(ctx, fields.get('rules'), 'match.rules'),
    tags: readStringList(ctx, fields.get('tags'), 'match.tags'),
    outputFields: readStringList(ctx, fields.get('output_fields'), 'match.output_fields'),
  };
  // Present-but-empty is kept: a later same-name rule may clear an earlier priority or source.
  const priority = readLocatedString(ctx, fields.get('priority'), 'match.priority');
  if (priority !== undefined) match.priority = priority;
  const source = readLocatedString(ctx, fields.get('source'), 'match.source');
  if (source !== undefined) match.source = source;
  return match;
}

function readActions(ctx: NodeCtx, field: Field | undefined): RawAction[] {
  if (field === undefined || isAbsent(field)) return [];
  if (!isSeq(field.value)) {
    fail(ctx, field.value ?? field.key, `'actions' must be a list`);
    return [];
  }
  const actions: RawAction[] = [];
  for (const raw of field.value.items) {
    const entry = resolve(ctx, raw);
    if (entry !== undefined && isMap(entry)) actions.push(parseAction(ctx, entry));
    else fail(ctx, entry ?? field.value, 'an action entry must be a map');
  }
  return actions;
}

/** One `rule:` item; `name` has been read by the caller (it decides whether the item is a rule). */
export function parseRule(parent: NodeCtx, node: Node, name: string): RawRule {
  const ctx: NodeCtx = { ...parent, rule: name };
  const fields = fieldsOf(ctx, node);
  const rule: { -readonly [K in keyof RawRule]: RawRule[K] } = {
    name,
    pos: posOf(ctx, node),
    match: readMatch(ctx, fields.get('match')),
    actions: readActions(ctx, fields.get('actions')),
    notifiers: readStringList(ctx, fields.get('notifiers'), 'notifiers'),
  };
  const description = readString(ctx, fields.get('description'), 'description');
  if (description !== undefined && description !== '') rule.description = description;
  const continues = readBoolean(ctx, fields.get('continue'), 'continue');
  if (continues !== undefined) rule.continue = continues;
  const dryRun = readBoolean(ctx, fields.get('dry_run'), 'dry_run');
  if (dryRun !== undefined) rule.dryRun = dryRun;
  const approval = readApproval(ctx, fields.get('approval'));
  if (approval !== undefined) rule.approval = approval;
  return rule;
}

import { isMap, type Node } from 'yaml';
import { readApproval, readExpireAfter, readRetry, readTimeout } from './parse-extensions.ts';
import type { RawAction, RawOutput, RawParam } from './raw.ts';
import { fail, fieldsOf, isAbsent, posOf, readBoolean, readLocatedString, readString, readStringList, toJson, type Field, type NodeCtx } from './yaml-nodes.ts';

/**
 * `parameters:` maps: each value as JSON, positioned at its key for stage-B messages. A top-level
 * `null` means "not set" (Go's decoder gives the zero value), so it is left out here and can
 * neither override nor be merged.
 */
export function readParams(ctx: NodeCtx, field: Field | undefined, label: string): Map<string, RawParam> {
  const params = new Map<string, RawParam>();
  if (field === undefined || isAbsent(field)) return params;
  if (!isMap(field.value)) {
    fail(ctx, field.value ?? field.key, `'${label}' must be a map`);
    return params;
  }
  for (const [key, { key: keyNode, value }] of fieldsOf(ctx, field.value)) {
    const json = toJson(ctx, value, `${label}.${key}`);
    if (json !== undefined && json !== null) params.set(key, { value: json, pos: posOf(ctx, keyNode) });
  }
  return params;
}

function readOutput(ctx: NodeCtx, field: Field | undefined): RawOutput | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  if (!isMap(field.value)) {
    fail(ctx, field.value ?? field.key, `'output' must be a map`);
    return undefined;
  }
  const fields = fieldsOf(ctx, field.value);
  const target = readLocatedString(ctx, fields.get('target'), 'output.target');
  const parameters = readParams(ctx, fields.get('parameters'), 'output.parameters');
  const pos = posOf(ctx, field.key);
  return target === undefined || target.value === '' ? { parameters, pos } : { target, parameters, pos };
}

/**
 * One action definition or rule action entry. `ctx.rule` is set for entries of a rule. Optional
 * fields are left out when absent so that merging can tell "not written" from "written".
 */
export function parseAction(parent: NodeCtx, node: Node): RawAction {
  const fields = fieldsOf(parent, node);
  const name = readString(parent, fields.get('action'), 'action');
  const ctx: NodeCtx = name === undefined || name === '' ? parent : { ...parent, action: name };
  const action: { -readonly [K in keyof RawAction]: RawAction[K] } = {
    pos: posOf(ctx, node),
    additionalContexts: readStringList(ctx, fields.get('additional_contexts'), 'additional_contexts').map((c) => c.value),
    parameters: readParams(ctx, fields.get('parameters'), 'parameters'),
  };
  if (name !== undefined && name !== '') action.name = name;
  const description = readString(ctx, fields.get('description'), 'description');
  if (description !== undefined && description !== '') action.description = description;
  const actionner = readLocatedString(ctx, fields.get('actionner'), 'actionner');
  if (actionner !== undefined && actionner.value !== '') action.actionner = actionner;
  const continues = readBoolean(ctx, fields.get('continue'), 'continue');
  if (continues !== undefined) action.continue = continues;
  const ignoreErrors = readBoolean(ctx, fields.get('ignore_errors'), 'ignore_errors');
  if (ignoreErrors !== undefined) action.ignoreErrors = ignoreErrors;
  const output = readOutput(ctx, fields.get('output'));
  if (output !== undefined) action.output = output;
  const retry = readRetry(ctx, fields.get('retry'));
  if (retry !== undefined) action.retry = retry;
  const timeout = readTimeout(ctx, fields.get('timeout'));
  if (timeout !== undefined) action.timeout = timeout;
  const approval = readApproval(ctx, fields.get('approval'));
  if (approval !== undefined) action.approval = approval;
  const expireAfter = readExpireAfter(ctx, fields.get('expire_after'));
  if (expireAfter !== undefined) action.expireAfter = expireAfter;
  const localField = fields.get('local');
  const local = readBoolean(ctx, localField, 'local');
  if (local !== undefined && localField !== undefined) action.local = { value: local, pos: posOf(ctx, localField.key) };
  return action;
}

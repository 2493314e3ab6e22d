import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Json } from '../contract/index.ts';
import { RuleError } from './errors.ts';
import type { Located, Pos } from './raw.ts';

/**
 * Helpers that walk the `yaml` Document AST with type guards (never casting the parsed data) and
 * report problems with their line. One context per file; `rule`/`action` name what is being read.
 */
export interface NodeCtx {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly errors: RuleError[];
  readonly rule?: string;
  readonly action?: string;
}

/** A key of a map being read: the key node (for its line) and its value, aliases resolved. */
export interface Field {
  readonly key: Node;
  readonly value: Node | undefined;
}

export function resolve(ctx: NodeCtx, value: unknown): Node | undefined {
  if (isAlias(value)) return value.resolve(ctx.doc);
  return isNode(value) ? value : undefined;
}

export function posOf(ctx: NodeCtx, node: Node | undefined): Pos {
  const offset = node?.range?.[0];
  return { file: ctx.file, line: offset === undefined ? 0 : ctx.lines.linePos(offset).line };
}

export function fail(ctx: NodeCtx, node: Node | undefined, reason: string): void {
  const { file, line } = posOf(ctx, node);
  ctx.errors.push(new RuleError({ file, line, rule: ctx.rule, action: ctx.action, reason }));
}

/** Reports what Falco Talon ignores: the file still loads. */
export function warn(ctx: NodeCtx, node: Node | undefined, reason: string): void {
  const { file, line } = posOf(ctx, node);
  ctx.errors.push(new RuleError({ file, line, rule: ctx.rule, action: ctx.action, reason, severity: 'warning' }));
}

/** The string-keyed fields of a map; other keys are ignored, as unknown keys are. */
export function fieldsOf(ctx: NodeCtx, node: Node): Map<string, Field> {
  const fields = new Map<string, Field>();
  if (!isMap(node)) return fields;
  for (const pair of node.items) {
    const key = resolve(ctx, pair.key);
    if (key === undefined || !isScalar(key)) continue;
    fields.set(scalarText(key.value, key.source), { key, value: resolve(ctx, pair.value) });
  }
  return fields;
}

/** Null (`key:` with nothing after it) counts as absent, as it does in the reference. */
export function isAbsent(field: Field | undefined): boolean {
  return field === undefined || field.value === undefined || (isScalar(field.value) && field.value.value === null);
}

/** Non-string scalars keep their literal text (`rule: 1.0` names the rule `1.0`), as Go's decoder does. */
function scalarText(value: unknown, source: string | undefined): string {
  if (typeof value === 'string') return value;
  return source ?? String(value);
}

export function readString(ctx: NodeCtx, field: Field | undefined, label: string): string | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  const node = field.value;
  if (isScalar(node)) return scalarText(node.value, node.source);
  fail(ctx, node ?? field.key, `'${label}' must be a string`);
  return undefined;
}

export function readLocatedString(ctx: NodeCtx, field: Field | undefined, label: string): Located<string> | undefined {
  const value = readString(ctx, field, label);
  return value === undefined || field === undefined ? undefined : { value, pos: posOf(ctx, field.value) };
}

/**
 * `true`/`false` written as YAML booleans or as the strings "true"/"false"; anything else
 * (`True`, `yes`, `1`) is rejected with the reference's text instead of being kept as a string.
 */
export function readBoolean(ctx: NodeCtx, field: Field | undefined, label: string): boolean | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  const node = field.value;
  if (isScalar(node)) {
    const text = scalarText(node.value, node.source);
    if ((typeof node.value === 'boolean' || typeof node.value === 'string') && (text === 'true' || text === 'false')) {
      return text === 'true';
    }
  }
  fail(ctx, node ?? field.key, `'${label}' setting can be 'true' or 'false' only`);
  return undefined;
}

export function readStringList(ctx: NodeCtx, field: Field | undefined, label: string): Located<string>[] {
  if (field === undefined || isAbsent(field)) return [];
  const node = field.value;
  if (!isSeq(node)) {
    fail(ctx, node ?? field.key, `'${label}' must be a list of strings`);
    return [];
  }
  const items: Located<string>[] = [];
  for (const raw of node.items) {
    const item = resolve(ctx, raw);
    if (isScalar(item) && item.value !== null) items.push({ value: scalarText(item.value, item.source), pos: posOf(ctx, item) });
    else fail(ctx, item ?? node, `'${label}' must be a list of strings`);
  }
  return items;
}

/** Plain JSON from a node; undefined (after reporting) for values JSON cannot hold. */
export function toJson(ctx: NodeCtx, input: unknown, label: string): Json | undefined {
  const node = resolve(ctx, input);
  if (node === undefined) return null;
  if (isScalar(node)) {
    const { value } = node;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    // A scalar here is a non-finite number or a tagged value (a date): its own text reads right.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    fail(ctx, node, `'${label}' has an unsupported value '${node.source ?? String(value)}'`);
    return undefined;
  }
  if (isSeq(node)) {
    const items: Json[] = [];
    for (const [index, raw] of node.items.entries()) {
      const item = toJson(ctx, raw, `${label}[${index}]`);
      if (item === undefined) return undefined;
      items.push(item);
    }
    return items;
  }
  const object: { [key: string]: Json } = {};
  for (const [key, field] of fieldsOf(ctx, node)) {
    const value = toJson(ctx, field.value, `${label}.${key}`);
    if (value === undefined) return undefined;
    object[key] = value;
  }
  return object;
}

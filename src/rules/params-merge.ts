import type { Json } from '../contract/index.ts';
import type { Pos, RawParam, RawParams } from './raw.ts';

/** Combining two `parameters:` maps key by key (same-name folding and inheritance both use it). */

export type ParamKind = 'scalar' | 'list' | 'map';

export function isJsonList(value: Json): value is readonly Json[] {
  return Array.isArray(value);
}

export function isJsonMap(value: Json): value is { readonly [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function kindOf(value: Json): ParamKind {
  return isJsonList(value) ? 'list' : isJsonMap(value) ? 'map' : 'scalar';
}

/** Called for a key whose value is a list on one side and a map or scalar on the other. */
export type OnMismatch = (key: string, base: RawParam, over: RawParam) => void;

function combine(key: string, base: RawParam, over: RawParam, onMismatch: OnMismatch, keep: 'base' | 'over'): RawParam {
  const b = base.value;
  const o = over.value;
  if (isJsonList(b) && isJsonList(o)) return { value: [...b, ...o], pos: over.pos };
  if (isJsonMap(b) && isJsonMap(o)) return { value: { ...b, ...o }, pos: over.pos };
  if (kindOf(b) === kindOf(o)) return over;
  // Reported (a warning: Falco Talon ignores one side too); the caller says which side is kept.
  onMismatch(key, base, over);
  return keep === 'base' ? base : over;
}

/**
 * `over` onto `base`: lists concatenate (base items first), maps merge key-wise with `over`
 * winning, scalars from `over` replace. Keys keep base order, then over's new keys. Values of
 * different kinds (a list and a map) do not combine: `keep` says which one stays.
 */
export function mergeParams(base: RawParams, over: RawParams, onMismatch: OnMismatch, keep: 'base' | 'over' = 'base'): Map<string, RawParam> {
  const merged = new Map<string, RawParam>();
  for (const [key, param] of base) {
    const other = over.get(key);
    merged.set(key, other === undefined ? param : combine(key, param, other, onMismatch, keep));
  }
  for (const [key, param] of over) if (!merged.has(key)) merged.set(key, param);
  return merged;
}

export function describeMismatch(label: string, key: string, base: RawParam, over: RawParam): string {
  const at = (pos: Pos): string => `${pos.file}:${pos.line}`;
  return `mismatch of type for ${label} '${key}': ${kindOf(over.value)} here, ${kindOf(base.value)} at ${at(base.pos)}`;
}

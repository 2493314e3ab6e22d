import type { FieldCondition } from './types.ts';

/**
 * The text forms of `match.tags` and `match.output_fields` items, shared by stage A (which reports
 * bad pieces) and compilation (which only sees valid ones).
 */

const TAG = /^[a-z_0-9.]*[a-z0-9]$/i;

/** Field names as Falco writes them, with an optional `[argument]` (`proc.env[MY_VAR]`). */
const FIELD_KEY = /^[a-z0-9_.-]+(\[[^\]]*\])?$/i;

/** One tags item → its AND-set: spaces removed, split on `,`, duplicates dropped. */
export function splitTags(item: string): string[] {
  return [...new Set(item.replace(/ /g, '').split(','))];
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export interface ParsedFieldsItem {
  readonly conditions: FieldCondition[];
  /** Pieces that are not `key=value` / `key!=value` with a valid key. */
  readonly invalid: string[];
}

/**
 * One output_fields item → an AND-group. Pieces split on `,` and are trimmed; each splits at its
 * FIRST `=` (a `!` just before it makes `!=`), so `proc.args=a=b` means `proc.args` = `a=b`.
 * Double quotes are removed from values, as in the reference.
 */
export function parseOutputFieldsItem(item: string): ParsedFieldsItem {
  const conditions: FieldCondition[] = [];
  const invalid: string[] = [];
  for (const raw of item.split(',')) {
    const piece = raw.trim();
    const at = piece.indexOf('=');
    const op = at > 0 && piece[at - 1] === '!' ? '!=' : '=';
    const key = at === -1 ? '' : piece.slice(0, op === '!=' ? at - 1 : at).trim();
    if (!FIELD_KEY.test(key)) {
      invalid.push(piece);
      continue;
    }
    conditions.push({
      key,
      op,
      value: piece
        .slice(at + 1)
        .trim()
        .replace(/"/g, ''),
    });
  }
  return { conditions, invalid };
}

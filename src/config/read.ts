import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { RawConfig } from './overrides.ts';

export type ReadResult = { readonly ok: true; readonly data: RawConfig } | { readonly ok: false; readonly problems: readonly string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Drops keys whose value is null: `kubeconfig:` left empty, or a section whose entries are all
 * commented out, means "not set" (as in the reference), not "set to null".
 */
function withoutNulls(mapping: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.entries(mapping).filter(([, value]) => value !== null);
  return Object.fromEntries(kept.map(([key, value]) => [key, isRecord(value) ? withoutNulls(value) : value]));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a YAML or JSON configuration file (JSON is parsed as the YAML it also is, so one parser
 * gives line numbers for both). YAML 1.2 is used: `yes`/`on` are strings, so a boolean key holding
 * one fails validation instead of being read as true. An empty file is an empty mapping.
 */
export function readConfigFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`error when reading config file '${path}': ${messageOf(error)}`] };
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      // The library's message ends with its own position and a code frame; keep the first sentence.
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      const position = error.linePos?.[0];
      const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
      return `error when parsing config file '${path}'${where}: ${message}`;
    });
    return { ok: false, problems };
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    return { ok: false, problems: [`error when parsing config file '${path}': ${messageOf(error)}`] };
  }
  if (data === null || data === undefined) return { ok: true, data: {} };
  if (!isRecord(data)) {
    const kind = Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    const problem = `error when parsing config file '${path}': expected a mapping of keys, got ${kind}`;
    return { ok: false, problems: [problem] };
  }
  return { ok: true, data: withoutNulls(data) };
}

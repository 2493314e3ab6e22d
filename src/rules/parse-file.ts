import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { RuleError } from './errors.ts';
import { parseAction } from './parse-action.ts';
import { parseRule } from './parse-rule.ts';
import type { RawAction, RawItems, RawRule } from './raw.ts';
import { fail, fieldsOf, readString, resolve, warn, type NodeCtx } from './yaml-nodes.ts';

/**
 * Rule files → raw items. A file is a YAML sequence; an item with `action:` is an action definition,
 * one with `rule:` a rule (both: both). An item with neither is ignored, as the reference does,
 * with a warning.
 */
export interface ParsedSource {
  readonly items: RawItems;
  readonly errors: RuleError[];
  /** A YAML syntax error: the file's items are unusable, later stages should not run. */
  readonly broken: boolean;
}

/** Parses one file's text. Pure, so tests need no files. */
export function parseRuleSource(file: string, text: string): ParsedSource {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const errors: RuleError[] = [];
  const definitions: RawAction[] = [];
  const rules: RawRule[] = [];
  for (const doc of documents) {
    for (const error of doc.errors) {
      const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
      errors.push(new RuleError({ file, line, reason: `wrong syntax: ${error.message}` }));
    }
  }
  if (errors.length > 0) return { items: { definitions, rules }, errors, broken: true };
  for (const doc of documents) {
    const ctx: NodeCtx = { file, doc, lines, errors };
    const contents = resolve(ctx, doc.contents);
    if (contents === undefined || (isScalar(contents) && contents.value === null)) continue;
    if (!isSeq(contents)) {
      fail(ctx, contents, 'a rule file must be a YAML sequence of rules and actions');
      continue;
    }
    for (const raw of contents.items) {
      const node = resolve(ctx, raw);
      if (node === undefined || !isMap(node)) {
        fail(ctx, node ?? contents, "an item must be a map with a 'rule' or an 'action' key");
        continue;
      }
      const fields = fieldsOf(ctx, node);
      const ruleName = readString(ctx, fields.get('rule'), 'rule') ?? '';
      const actionName = readString(ctx, fields.get('action'), 'action') ?? '';
      if (actionName !== '') definitions.push(parseAction(ctx, node));
      if (ruleName !== '') rules.push(parseRule(ctx, node, ruleName));
      if (ruleName === '' && actionName === '') warn(ctx, node, "an item without a non-empty 'rule' or 'action' key is ignored");
    }
  }
  return { items: { definitions, rules }, errors, broken: false };
}

const RULE_FILE = /\.ya?ml$/;

/**
 * The files named by `paths`: a directory stands for the `*.yaml`/`*.yml` files directly inside
 * it, sorted by name. A path given twice is read once.
 */
export async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; errors: RuleError[] }> {
  const files: string[] = [];
  const errors: RuleError[] = [];
  if (paths.length === 0) errors.push(new RuleError({ file: '', line: 0, reason: 'no rule file is provided' }));
  const add = (file: string): void => {
    if (!files.some((known) => path.resolve(known) === path.resolve(file))) files.push(file);
  };
  for (const given of paths) {
    try {
      if (!(await stat(given)).isDirectory()) {
        add(given);
        continue;
      }
      const names = (await readdir(given)).filter((name) => RULE_FILE.test(name)).sort();
      for (const name of names) {
        const file = path.join(given, name);
        if ((await stat(file)).isFile()) add(file);
      }
    } catch (error) {
      errors.push(new RuleError({ file: given, line: 0, reason: `cannot read the rule file: ${describe(error)}` }));
    }
  }
  return { files, errors };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ReadResult extends ParsedSource {
  readonly files: readonly string[];
}

/** Reads and parses every file; items are concatenated in file order. */
export async function readRuleFiles(paths: readonly string[]): Promise<ReadResult> {
  const { files, errors } = await expandPaths(paths);
  const definitions: RawAction[] = [];
  const rules: RawRule[] = [];
  let broken = errors.length > 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      errors.push(new RuleError({ file, line: 0, reason: `cannot read the rule file: ${describe(error)}` }));
      broken = true;
      continue;
    }
    const parsed = parseRuleSource(file, text);
    definitions.push(...parsed.items.definitions);
    rules.push(...parsed.items.rules);
    errors.push(...parsed.errors);
    broken ||= parsed.broken;
  }
  return { files, items: { definitions, rules }, errors, broken };
}

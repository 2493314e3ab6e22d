import { ENVIRONMENT_VARIABLES, type EnvironmentValueType, isPattern } from './env.ts';

export type Environment = Readonly<Record<string, string | undefined>>;
export type RawConfig = { readonly [key: string]: unknown };

export interface Overridden {
  /** The file's data with the environment's values written over it, not yet validated. */
  readonly config: RawConfig;
  /** `<key.path>: <reason>` for variables whose text cannot be a value. */
  readonly problems: readonly string[];
  /** Which variable set each key, so later validation errors can name it. */
  readonly sources: ReadonlyMap<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSet(root: unknown, path: readonly string[]): boolean {
  let node = root;
  for (const key of path) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return false;
    node = node[key];
  }
  return true;
}

/**
 * A copy of `root` with `value` at `path`; the file's data itself is never modified. When the path
 * runs into something that is not a mapping, `root` is returned unchanged and the schema reports
 * that section's wrong type.
 */
function withValue(root: RawConfig, path: readonly string[], value: unknown): RawConfig {
  const [key, ...rest] = path;
  if (key === undefined) return root;
  if (rest.length === 0) return { ...root, [key]: value };
  const child = Object.hasOwn(root, key) ? root[key] : undefined;
  if (child !== undefined && child !== null && !isRecord(child)) return root;
  return { ...root, [key]: withValue(isRecord(child) ? child : {}, rest, value) };
}

type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

function convert(name: string, text: string, type: EnvironmentValueType): Converted {
  if (type === 'list') {
    return {
      ok: true,
      value: text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    };
  }
  if (type === 'string') return { ok: true, value: text };
  // Only real booleans: `yes`, `1` or `on` are rejected rather than guessed.
  if (/^(true|false)$/i.test(text)) return { ok: true, value: text.toLowerCase() === 'true' };
  return { ok: false, reason: `environment variable ${name} must be true or false, got '${text}'` };
}

interface Candidate {
  readonly name: string;
  readonly path: readonly string[];
  readonly type: EnvironmentValueType;
}

/** Every leaf under `notifiers` in the file, as `NOTIFIERS_<NAME>_<KEY>`, typed like the file's value. */
function notifierCandidates(node: unknown, path: readonly string[]): Candidate[] {
  if (isRecord(node)) return Object.entries(node).flatMap(([key, child]) => notifierCandidates(child, [...path, key]));
  if (path.length < 3) return [];
  const type = typeof node === 'boolean' ? 'boolean' : Array.isArray(node) ? 'list' : 'string';
  return [{ name: path.join('_').toUpperCase().replaceAll('.', '_'), path, type }];
}

function candidates(file: RawConfig): Candidate[] {
  const fixed = ENVIRONMENT_VARIABLES.filter((variable) => !isPattern(variable))
    .map(({ name, key, type, onlyIfInFile }) => ({ name, path: key.split('.'), type, onlyIfInFile }))
    .filter(({ path, onlyIfInFile }) => !onlyIfInFile || isSet(file, path));
  return [...fixed, ...notifierCandidates(file['notifiers'], ['notifiers'])];
}

/**
 * Writes environment variables over the file's values (reference §9.1): a variable that is unset or
 * empty changes nothing (as viper treats empty ones), keys without a default only when the file
 * sets them. Text for numbers is left to the schema, which converts and checks it.
 */
export function applyEnvironment(file: RawConfig, env: Environment): Overridden {
  let config = file;
  const problems: string[] = [];
  const sources = new Map<string, string>();
  for (const { name, path, type } of candidates(file)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const converted = convert(name, text, type);
    const key = path.join('.');
    if (!converted.ok) {
      problems.push(`${key}: ${converted.reason}`);
      continue;
    }
    config = withValue(config, path, converted.value);
    sources.set(key, name);
  }
  return { config, problems, sources };
}

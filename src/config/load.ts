import type { z } from 'zod';
import { deepFreeze } from '../events/freeze.ts';
import { applyEnvironment, type Environment } from './overrides.ts';
import { type ReadResult, readConfigFile } from './read.ts';
import { configSchema, type TalonConfig } from './schema.ts';

export { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from './env.ts';

/** Every problem found in the configuration, one `<key.path>: <reason>` per line of the message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = Object.freeze([...problems]);
  }
}

export interface LoadConfigOptions {
  /** YAML or JSON file. Unset: defaults plus the environment. */
  readonly file?: string;
  /** @default process.env */
  readonly env?: Environment;
}

const NO_FILE: ReadResult = { ok: true, data: {} };

/** Turns one schema issue into `<key.path>: <reason>` lines, naming the variable that set the key. */
function describe(issue: z.core.$ZodIssue, sources: ReadonlyMap<string, string>): string[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${path === '' ? key : `${path}.${key}`}: unknown key`);
  }
  const source = sources.get(path);
  const from = source === undefined ? '' : ` (from environment variable ${source})`;
  return [`${path === '' ? '(root)' : path}: ${issue.message.replace(/^Invalid input: /, '')}${from}`];
}

/**
 * Reads, overrides from the environment and validates the configuration once, at start-up, into a
 * deeply frozen object. Throws a `ConfigError` listing every problem, so a user fixes them in one go.
 */
export function loadConfig(options: LoadConfigOptions = {}): TalonConfig {
  const file = options.file === undefined ? NO_FILE : readConfigFile(options.file);
  if (!file.ok) throw new ConfigError(file.problems);
  const { config, problems, sources } = applyEnvironment(file.data, options.env ?? process.env);
  const parsed = configSchema.safeParse(config);
  const invalid = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describe(issue, sources));
  const all = [...problems, ...invalid];
  if (!parsed.success || all.length > 0) throw new ConfigError(all);
  return deepFreeze(parsed.data);
}

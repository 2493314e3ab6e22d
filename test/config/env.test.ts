import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES, isPattern } from '../../src/config/env.ts';
import { configSchema } from '../../src/config/schema.ts';

function valueAt(root: unknown, key: string): unknown {
  let node = root;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = Object.getOwnPropertyDescriptor(node, part)?.value;
  }
  return node;
}

function objectWith(key: string, value: unknown): unknown {
  return key.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), value);
}

const fixed = ENVIRONMENT_VARIABLES.filter((variable) => !isPattern(variable));
const defaults = configSchema.parse({});

describe('ENVIRONMENT_VARIABLES', () => {
  it('has unique names', () => {
    const names = ENVIRONMENT_VARIABLES.map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(fixed)('$name names a key the schema knows', (variable) => {
    const parsed = configSchema.safeParse(objectWith(variable.key, undefined));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(fixed)('$name has the type of its key', (variable) => {
    const value = valueAt(defaults, variable.key);
    if (variable.type === 'boolean') expect(typeof value).toBe('boolean');
    else if (variable.type === 'list') expect(Array.isArray(value)).toBe(true);
    else expect(['string', 'number', 'undefined']).toContain(typeof value);
  });

  it("names Talon's keys upper-cased with dots as underscores", () => {
    for (const variable of fixed.filter(({ key }) => !key.startsWith('temporal.'))) {
      expect(variable.name).toBe(variable.key.toUpperCase().replaceAll('.', '_'));
    }
  });

  it('reads keys without a default only when the file sets them', () => {
    const onlyIfInFile = ENVIRONMENT_VARIABLES.filter(({ onlyIfInFile }) => onlyIfInFile).map(({ key }) => key.split('.')[0]);
    expect(new Set(onlyIfInFile)).toEqual(new Set(['aws', 'gcp', 'minio', 'notifiers']));
  });
});

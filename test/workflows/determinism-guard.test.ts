import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Workflow code must stay deterministic: it may import Temporal's workflow API, other workflow
// modules and pure definitions, and only *types* from activities and the rest of src.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ALLOWED_VALUE_IMPORTS = [/^@temporalio\/workflow$/, /^\.\/[\w-]+\.ts$/, /^\.\.\/src\/temporal\/search-attributes\.ts$/, /^\.\.\/src\/events\/fields\.ts$/];

function imports(source: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of source.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
    found.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  }
  return found;
}

describe('workflow sandbox hygiene', () => {
  const files = readdirSync(join(ROOT, 'workflows')).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports no Node built-in, I/O module or activity code', (file) => {
    const source = readFileSync(join(ROOT, 'workflows', file), 'utf8');
    for (const { specifier, typeOnly } of imports(source)) {
      if (typeOnly) continue;
      expect(ALLOWED_VALUE_IMPORTS.some((pattern) => pattern.test(specifier)), `${file} imports '${specifier}'`).toBe(true);
    }
  });

  it('the search-attribute definitions the workflow imports are pure too', () => {
    const source = readFileSync(join(ROOT, 'src/temporal/search-attributes.ts'), 'utf8');
    expect(imports(source).map((i) => i.specifier)).toEqual(['@temporalio/common']);
  });

  it('the event field getters the workflow imports import nothing but types', () => {
    const source = readFileSync(join(ROOT, 'src/events/fields.ts'), 'utf8');
    expect(imports(source).every((i) => i.typeOnly)).toBe(true);
  });
});

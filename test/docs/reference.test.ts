import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionnerSpecs, contextSpecs, notifierSpecs, outputSpecs } from '../../activities/specs.ts';
import { chartFiles } from '../../src/docs/chart-files.ts';
import { referencePages } from '../../src/docs/reference.ts';
import { fieldRows } from '../../src/docs/schema-rows.ts';

const pages = referencePages({ actionners: actionnerSpecs, outputs: outputSpecs, notifiers: notifierSpecs, contexts: contextSpecs });

describe('the generated reference (docs/reference)', () => {
  it.each(Object.keys(pages))('%s is what `npm run docs` generates from the code', (name) => {
    const committed = readFileSync(new URL(`../../docs/reference/${name}`, import.meta.url), 'utf8');
    expect(committed, `docs/reference/${name} is stale: run npm run docs`).toBe(pages[name]);
  });

  it.each(
    Object.entries(chartFiles({ actionners: actionnerSpecs, outputs: outputSpecs, notifiers: notifierSpecs, contexts: contextSpecs }, 'playbooks/rules.yaml')),
  )('charts/talon/files/%s is what `npm run docs` generates', (name, text) => {
    expect(readFileSync(new URL(`../../charts/talon/files/${name}`, import.meta.url), 'utf8'), `charts/talon/files/${name} is stale: run npm run docs`).toBe(
      text,
    );
  });

  it('documents every parameter of every actionner, output and notifier', () => {
    const schemas = [
      ...actionnerSpecs.map((s) => [s.name, s.params] as const),
      ...outputSpecs.map((s) => [s.name, s.params] as const),
      ...notifierSpecs.map((s) => [s.name, s.config] as const),
    ];
    const undocumented = schemas.flatMap(([name, schema]) =>
      fieldRows(schema)
        .filter((row) => row.description === '')
        .map((row) => `${name}.${row.name}`),
    );
    expect(undocumented).toEqual([]);
  });
});

// `npm run docs`: writes docs/reference/*.md from the specs and the configuration schema, and the
// chart's generated files (charts/talon/files).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionnerSpecs, contextSpecs, notifierSpecs, outputSpecs } from '../activities/specs.ts';
import { chartFiles } from '../src/docs/chart-files.ts';
import { referencePages } from '../src/docs/reference.ts';

const dir = fileURLToPath(new URL('../docs/reference/', import.meta.url));
mkdirSync(dir, { recursive: true });
const catalogue = { actionners: actionnerSpecs, outputs: outputSpecs, notifiers: notifierSpecs, contexts: contextSpecs };
const pages = referencePages(catalogue);
for (const [name, text] of Object.entries(pages)) writeFileSync(join(dir, name), text);
console.log(`docs/reference: ${Object.keys(pages).join(', ')}`);

const chartDir = fileURLToPath(new URL('../charts/talon/files/', import.meta.url));
const files = chartFiles(catalogue, fileURLToPath(new URL('../playbooks/rules.yaml', import.meta.url)));
for (const [name, text] of Object.entries(files)) writeFileSync(join(chartDir, name), text);
console.log(`charts/talon/files: ${Object.keys(files).join(', ')}`);

// `npm run docs`: writes docs/reference/*.md from the specs and the configuration schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionnerSpecs, contextSpecs, notifierSpecs, outputSpecs } from '../activities/specs.ts';
import { referencePages } from '../src/docs/reference.ts';

const dir = fileURLToPath(new URL('../docs/reference/', import.meta.url));
mkdirSync(dir, { recursive: true });
const pages = referencePages({ actionners: actionnerSpecs, outputs: outputSpecs, notifiers: notifierSpecs, contexts: contextSpecs });
for (const [name, text] of Object.entries(pages)) writeFileSync(join(dir, name), text);
console.log(`docs/reference: ${Object.keys(pages).join(', ')}`);

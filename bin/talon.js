#!/usr/bin/env node
// The `talon` command: runs the compiled CLI (`npm install` builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('talon: the compiled code is missing (dist/): run `npm run build`, or `npm run dev -- <command>` to run from source\n');
  process.exit(1);
}
await import(main.href);

import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchRules, type RuleError, type RuleSet } from '../../src/rules/index.ts';
import { catalog, ruleYaml, tempDir } from './helpers.ts';

type Outcome = { kind: 'reload'; ruleSet: RuleSet } | { kind: 'error'; errors: RuleError[] };

/** Starts a watcher that records outcomes; `next()` waits for the next one. */
function startWatching(paths: string[], debounceMs: number) {
  const outcomes: Outcome[] = [];
  const waiters: ((outcome: Outcome) => void)[] = [];
  const push = (outcome: Outcome): void => {
    const waiter = waiters.shift();
    if (waiter === undefined) outcomes.push(outcome);
    else waiter(outcome);
  };
  const watcher = watchRules(
    paths,
    catalog,
    (ruleSet) => push({ kind: 'reload', ruleSet }),
    (errors) => push({ kind: 'error', errors }),
    { debounceMs },
  );
  const next = (timeoutMs = 3000): Promise<Outcome> => {
    const queued = outcomes.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (outcome: Outcome): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error('no reload or error reported'));
      }, timeoutMs);
      waiters.push(waiter);
    });
  };
  return { watcher, outcomes, next };
}

const names = (outcome: Outcome): string[] => (outcome.kind === 'reload' ? outcome.ruleSet.rules.map((r) => r.name) : outcome.errors.map(String));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers) close();
  closers = [];
});

/** A short debounce keeps the tests fast; the burst test uses the default 300 ms. */
function watchFor(paths: string[], debounceMs = 50) {
  const watching = startWatching(paths, debounceMs);
  closers.push(() => watching.watcher.close());
  return watching;
}

describe('watchRules', () => {
  it('reloads on a valid change', async () => {
    const file = join(tempDir(), 'rules.yaml');
    writeFileSync(file, ruleYaml('one'));
    const { next } = watchFor([file]);
    writeFileSync(file, ruleYaml('one') + ruleYaml('two'));
    const outcome = await next();
    expect(outcome.kind).toBe('reload');
    expect(names(outcome)).toEqual(['one', 'two']);
  });

  it('reports every error of an invalid change and does not reload', async () => {
    const file = join(tempDir(), 'rules.yaml');
    writeFileSync(file, ruleYaml('one'));
    const { next, outcomes } = watchFor([file]);
    writeFileSync(file, `- rule: broken\n  continue: maybe\n`);
    const outcome = await next();
    expect(outcome.kind).toBe('error');
    expect(names(outcome)).toEqual([
      `${file}:1: rule 'broken': no action specified`,
      `${file}:2: rule 'broken': 'continue' setting can be 'true' or 'false' only`,
    ]);
    await sleep(200);
    expect(outcomes).toEqual([]);
  });

  it('sees an atomic rename (write a temp file, rename it over the rules)', async () => {
    const dir = tempDir();
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, ruleYaml('old'));
    const { next } = watchFor([file]);
    writeFileSync(join(dir, '.rules.yaml.tmp'), ruleYaml('new'));
    renameSync(join(dir, '.rules.yaml.tmp'), file);
    expect(names(await next())).toEqual(['new']);
    // The watch survives the rename: a second change is seen too.
    writeFileSync(join(dir, '.rules.yaml.tmp'), ruleYaml('newer'));
    renameSync(join(dir, '.rules.yaml.tmp'), file);
    expect(names(await next())).toEqual(['newer']);
  });

  it('sees a Kubernetes ConfigMap symlink swap', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '..2024_01'));
    writeFileSync(join(dir, '..2024_01', 'rules.yaml'), ruleYaml('v1'));
    symlinkSync('..2024_01', join(dir, '..data'));
    symlinkSync(join('..data', 'rules.yaml'), join(dir, 'rules.yaml'));
    const { next } = watchFor([join(dir, 'rules.yaml')]);
    mkdirSync(join(dir, '..2024_02'));
    writeFileSync(join(dir, '..2024_02', 'rules.yaml'), ruleYaml('v2'));
    symlinkSync('..2024_02', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(names(await next())).toEqual(['v2']);
  });

  it('picks up a new file in a watched directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yaml'), ruleYaml('a'));
    const { next } = watchFor([dir]);
    writeFileSync(join(dir, 'b.yaml'), ruleYaml('b'));
    expect(names(await next())).toEqual(['a', 'b']);
  });

  it('debounces a burst of writes into one reload', async () => {
    const file = join(tempDir(), 'rules.yaml');
    writeFileSync(file, ruleYaml('one'));
    const { next, outcomes } = watchFor([file], 300);
    for (const name of ['x', 'y', 'z']) {
      writeFileSync(file, ruleYaml(name));
      await sleep(10);
    }
    expect(names(await next())).toEqual(['z']);
    await sleep(400);
    expect(outcomes).toEqual([]);
  });

  it('ignores unrelated files next to the rules and stops after close', async () => {
    const dir = tempDir();
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, ruleYaml('one'));
    const { next, watcher } = watchFor([file]);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    await expect(next(300)).rejects.toThrow('no reload or error reported');
    watcher.close();
    writeFileSync(file, ruleYaml('two'));
    await expect(next(300)).rejects.toThrow('no reload or error reported');
  });
});

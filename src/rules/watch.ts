import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { RuleCatalog } from './catalog.ts';
import { RuleError } from './errors.ts';
import { loadRules } from './load.ts';
import type { RuleSet } from './rule-set.ts';

export interface WatchOptions {
  /** Quiet time after the last change before reloading. @default 300 */
  readonly debounceMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The directories to watch, and which entry names in them concern the rules. */
function watchTargets(paths: readonly string[]): Map<string, (name: string) => boolean> {
  const targets = new Map<string, (name: string) => boolean>();
  for (const given of paths) {
    const isDirectory = statSync(given, { throwIfNoEntry: false })?.isDirectory() === true;
    const dir = isDirectory ? given : path.dirname(given);
    const base = path.basename(given);
    // `..data` and friends: Kubernetes swaps a ConfigMap volume by replacing a symlink.
    const relevant = isDirectory ? (name: string) => /\.ya?ml$/.test(name) || name.startsWith('..') : (name: string) => name === base || name.startsWith('..');
    const previous = targets.get(dir);
    targets.set(dir, previous === undefined ? relevant : (name) => previous(name) || relevant(name));
  }
  return targets;
}

/**
 * Reloads the rules when their files change. Directories are watched (not the files), so editors'
 * atomic renames and Kubernetes ConfigMap symlink swaps are seen. Changes are debounced, reloads
 * never overlap, and `onReload` only receives a set that passed both stages; otherwise `onError`
 * gets every problem and the caller keeps its current rules.
 */
export function watchRules(
  paths: readonly string[],
  catalog: RuleCatalog,
  onReload: (ruleSet: RuleSet, warnings: RuleError[]) => void,
  onError: (errors: RuleError[]) => void,
  options: WatchOptions = {},
): { close(): void } {
  const debounceMs = options.debounceMs ?? 300;
  const watchers: FSWatcher[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;

  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      // loadRules reports file problems as values; anything thrown is unexpected but must not
      // become an unhandled rejection that takes the process down.
      const loaded = await loadRules(paths, catalog).catch((error: unknown) => ({
        ok: false as const,
        errors: [new RuleError({ file: '', line: 0, reason: `reloading the rules failed: ${describe(error)}` })],
        warnings: [],
      }));
      if (!closed) {
        if (loaded.ok) onReload(loaded.ruleSet, loaded.warnings);
        else onError(loaded.errors);
      }
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };
  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  }

  const watchFailed = (dir: string, error: unknown): void =>
    onError([new RuleError({ file: dir, line: 0, reason: `cannot watch the rule files: ${describe(error)}` })]);
  // Synchronous, so that a change made right after this call returns is already seen.
  for (const [dir, relevant] of watchTargets(paths)) {
    try {
      const watcher = watch(dir, (_event, name) => {
        if (name === null || relevant(name.toString())) schedule();
      });
      watcher.on('error', (error) => watchFailed(dir, error));
      watchers.push(watcher);
    } catch (error) {
      watchFailed(dir, error);
    }
  }

  return {
    close(): void {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemporalCli, TEMPORAL_CLI_VERSION, toolsCacheDir } from '../../src/temporal/cli-binary.ts';

function executable(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('Temporal CLI resolution order', () => {
  const home = mkdtempSync(join(tmpdir(), 'talon-cli-bin-'));
  const cache = join(home, 'cache');

  it('prefers $TEMPORAL_CLI, then PATH, then the tools cache', () => {
    const explicit = executable(join(home, 'explicit'));
    const onPath = executable(join(home, 'path'));
    const cached = executable(join(cache, 'talon-tools', `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'bin'));
    expect(findTemporalCli({ TEMPORAL_CLI: explicit, PATH: join(home, 'path'), XDG_CACHE_HOME: cache })).toEqual({ path: explicit, source: 'TEMPORAL_CLI' });
    expect(findTemporalCli({ PATH: join(home, 'path'), XDG_CACHE_HOME: cache })).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ PATH: '/nonexistent', XDG_CACHE_HOME: cache })).toEqual({ path: cached, source: 'cache' });
    expect(findTemporalCli({ PATH: '/nonexistent', XDG_CACHE_HOME: join(home, 'empty') })).toBeUndefined();
  });

  it('refuses a $TEMPORAL_CLI that is not executable, saying so', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI: join(home, 'missing') })).toThrow(/TEMPORAL_CLI=.* is not an executable file/);
  });

  it('keeps its cache outside the clone, under XDG_CACHE_HOME', () => {
    expect(toolsCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/talon-tools');
  });
});

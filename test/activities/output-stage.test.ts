import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inlineOutput, storeOutput } from '../../activities/output-stage.ts';
import type { ActionResult } from '../../activities/types.ts';
import { silentLogger } from '../../src/log.ts';
import type { ActionActivityInput } from '../../workflows/types.ts';
import { falcoEvent, testConfig } from '../support/temporal.ts';

const deps = () => ({ config: testConfig(), log: silentLogger });
const result = (body?: Buffer | Readable): ActionResult => ({
  status: 'success',
  result: 'done',
  objects: { pod: 'web', namespace: 'prod' },
  artifact: body === undefined ? undefined : { name: 'log', contentType: 'text/plain', body },
});
const input = (outputMode: ActionActivityInput['outputMode'], output?: ActionActivityInput['output']): ActionActivityInput => ({
  event: falcoEvent(),
  context: {},
  rule: 'r',
  action: 'a',
  actionner: 'x:y',
  parameters: {},
  additionalContexts: [],
  outputMode,
  output,
  idempotencyKey: 'w/0',
});

describe('output stage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'talon-stage-'));
  const local = { target: 'local:file', parameters: { destination: dir } };

  it('stores a required output from a stream, with mode 0600, size and checksum', async () => {
    const outcome = await storeOutput(input('required', local), result(Readable.from([Buffer.from('ab'), Buffer.from('c')])), deps());
    expect(outcome).toMatchObject({ status: 'success', target: 'local:file', artifact: { size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' } });
    const path = outcome?.artifact?.location.replace('file://', '') ?? '';
    expect(readFileSync(path, 'utf8')).toBe('abc');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(path).toMatch(/_prod_web_log$/);
  });

  it('does not overwrite an artifact stored under the same key in the same second', async () => {
    const a = await storeOutput(input('required', local), result(Buffer.from('1')), deps());
    const b = await storeOutput(input('required', local), result(Buffer.from('2')), deps());
    expect(a?.artifact?.location).not.toBe(b?.artifact?.location);
  });

  it.each([
    ['a required output with no artifact', input('required', local), result(), 'empty output'],
    ['a required output with an empty artifact', input('required', local), result(Buffer.alloc(0)), 'empty output'],
    ['an unknown target', input('required', { target: 'nope:nope', parameters: { a: 1 } }), result(Buffer.from('x')), "unknown output target 'nope:nope'"],
    ['a missing folder (checked on the allowed path too)', input('allowed', { target: 'local:file', parameters: { destination: '/missing' } }), result(Buffer.from('x')), "folder '/missing' does not exist"],
  ])('reports a failed outcome for %s', async (_name, stageInput, actionResult, error) => {
    expect(await storeOutput(stageInput, actionResult, deps())).toMatchObject({ status: 'failure', error });
  });

  it('runs no output stage for an allowed output without artifact, or without output', async () => {
    expect(await storeOutput(input('allowed', local), result(), deps())).toBeUndefined();
    expect(await storeOutput(input('allowed'), result(Buffer.from('x')), deps())).toBeUndefined();
    expect(await storeOutput(input('none', local), result(Buffer.from('x')), deps())).toBeUndefined();
  });

  it('inlines an artifact as truncated text when nothing stores it', async () => {
    expect(await inlineOutput({ name: 'x', contentType: 'text/plain', body: Buffer.from('hello') })).toBe('hello');
    const big = await inlineOutput({ name: 'x', contentType: 'text/plain', body: Readable.from([Buffer.alloc(40_000, 'a')]) });
    expect(big?.endsWith('… (truncated)')).toBe(true);
    expect(big?.length).toBeLessThan(17_000);
  });
});

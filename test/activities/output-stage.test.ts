import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../activities/clients.ts';
import { httpRequest } from '../../activities/http/request.ts';
import { inlineOutput, storeOutput } from '../../activities/output-stage.ts';
import { measured } from '../../activities/outputs/stream.ts';
import type { ActionResult, Deps } from '../../activities/types.ts';
import { silentLogger } from '../../src/log.ts';
import type { ActionActivityInput } from '../../src/contract/index.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, testConfig } from '../support/temporal.ts';

let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());

const deps = (): Deps => {
  const config = testConfig();
  return { config, log: silentLogger, clients: createClients(config) };
};
const result = (body?: Buffer | Readable): ActionResult => ({
  status: 'success',
  result: 'done',
  objects: { pod: 'web', namespace: 'prod' },
  artifact: body === undefined ? undefined : { name: 'log', contentType: 'text/plain', body },
});
const input = (outputMode: ActionActivityInput['outputMode'], output?: ActionActivityInput['output'], event = falcoEvent()): ActionActivityInput => ({
  event,
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
    expect(outcome).toMatchObject({
      status: 'success',
      target: 'local:file',
      artifact: { size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    });
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
    [
      'a missing folder (checked on the allowed path too)',
      input('allowed', { target: 'local:file', parameters: { destination: '/missing' } }),
      result(Buffer.from('x')),
      "folder '/missing' does not exist",
    ],
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

  it('keeps a hostname with ../ inside the destination folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'talon-escape-'));
    const folder = join(root, 'a', 'b');
    mkdirSync(folder, { recursive: true });
    const event = falcoEvent({ hostname: '/../../outside/evil' });
    const noPod: ActionResult = {
      status: 'success',
      result: 'done',
      objects: {},
      artifact: { name: 'log', contentType: 'text/plain', body: Buffer.from('x') },
    };
    const outcome = await storeOutput(input('required', { target: 'local:file', parameters: { destination: folder } }, event), noPod, deps());
    const path = outcome?.artifact?.location.replace('file://', '') ?? '';
    expect(outcome).toMatchObject({ status: 'success' });
    expect(dirname(path)).toBe(folder);
    expect(readdirSync(root)).toEqual(['a']);
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
  });

  it.each([
    ['a 204', 'POST' as const, { status: 204 }],
    ['a HEAD', 'HEAD' as const, { status: 200, headers: { 'content-length': '5' } }],
  ])('reports an empty streamed response (%s) as empty output and stores nothing', async (_name, method, reply) => {
    const folder = mkdtempSync(join(tmpdir(), 'talon-empty-'));
    target.route('/empty', reply);
    const run = await httpRequest.run(
      {
        event: falcoEvent(),
        context: {},
        parameters: httpRequest.spec.params.parse({ url: `${target.url}/empty`, method }),
        rule: 'r',
        action: 'a',
        idempotencyKey: 'w/0',
      },
      deps(),
    );
    expect(run.artifact?.body).toBeInstanceOf(Readable);
    const outcome = await storeOutput(input('allowed', { target: 'local:file', parameters: { destination: folder } }), run, deps());
    expect(outcome).toMatchObject({ status: 'failure', error: 'empty output' });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('stores a streamed response whose first chunk was read ahead, whole', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'talon-peek-'));
    const body = Buffer.alloc(200_000, 'z');
    target.route('/full', { status: 200, body });
    const run = await httpRequest.run(
      {
        event: falcoEvent(),
        context: {},
        parameters: httpRequest.spec.params.parse({ url: `${target.url}/full`, method: 'GET' }),
        rule: 'r',
        action: 'a',
        idempotencyKey: 'w/0',
      },
      deps(),
    );
    const outcome = await storeOutput(input('allowed', { target: 'local:file', parameters: { destination: folder } }), run, deps());
    expect(outcome).toMatchObject({ status: 'success', artifact: { size: body.length } });
    expect(readFileSync(outcome?.artifact?.location.replace('file://', '') ?? '').equals(body)).toBe(true);
  });

  it('destroys the source when the store side fails (measure destroyed)', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('first'));
    const { stream, measure } = measured({ name: 'x', contentType: 'text/plain', body: source });
    stream.resume();
    measure.on('error', () => {});
    measure.destroy(new Error('upload failed'));
    await new Promise((resolve) => measure.once('close', resolve));
    expect(source.destroyed).toBe(true);
  });

  // The break comes at different moments: before the output has checked its folder (the stream is
  // not piped yet) and while the file is being written.
  it.each([0, 1, 20, 100])('removes the partial file and retries when the artifact stream breaks mid-way (after %i ms)', async (delayMs) => {
    const folder = mkdtempSync(join(tmpdir(), 'talon-partial-'));
    const broken = Readable.from(
      (async function* () {
        yield Buffer.alloc(64 * 1024, 'a');
        await new Promise((r) => setTimeout(r, delayMs));
        throw new Error('connection reset');
      })(),
    );
    const error = await storeOutput(input('required', { target: 'local:file', parameters: { destination: folder } }), result(broken), deps()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ nonRetryable: false });
    expect((error as Error).message).toContain('connection reset');
    expect(readdirSync(folder)).toEqual([]);
  });
});

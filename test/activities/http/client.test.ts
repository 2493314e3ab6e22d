import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { assertOk, httpCall, httpStream } from '../../../activities/http/client.ts';
import { HttpTarget } from '../../support/http-target.ts';

let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());

async function failureFor(status: number): Promise<ApplicationFailure> {
  target.route(`/s${status}`, { status, body: 'why' });
  const response = await httpCall({ url: `${target.url}/s${status}`, method: 'POST' });
  try {
    assertOk(response, 'call');
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
  }
  throw new Error('no failure');
}

describe('HTTP status classification', () => {
  it.each([
    [400, false, 'header missing: why'],
    [401, false, 'authentication error'],
    [403, false, 'access denied'],
    [404, false, 'resource not found'],
    [422, false, 'wrong request'],
    [429, true, 'exceeding post rate limit'],
    [500, true, 'unexpected status 500: why'],
    [503, true, 'unexpected status 503: why'],
  ])('%i → retryable %s, "%s"', async (status, retryable, text) => {
    const failure = await failureFor(status);
    expect(failure.nonRetryable).toBe(!retryable);
    expect(failure.message).toBe(`call: ${text}`);
    expect(failure.type).toBe(`Http${status}`);
  });

  it('accepts 2xx', async () => {
    target.route('/ok', 204);
    expect(() => assertOk({ status: 204, headers: new Headers(), body: Buffer.alloc(0) }, 'x')).not.toThrow();
  });

  it('turns a refused connection into a retryable NetworkError', async () => {
    await expect(httpCall({ url: 'http://127.0.0.1:9/', method: 'GET', timeoutMs: 1000 })).rejects.toMatchObject({ type: 'NetworkError', nonRetryable: false });
  });

  it('httpStream keeps a 2xx body a stream (artifacts are not held in memory) and throws other statuses as assertOk', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    target.route('/big', { status: 200, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    const response = await httpStream({ url: `${target.url}/big`, method: 'GET' }, 'GET big');
    expect(response.body).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

    target.route('/gone', { status: 404, body: 'no' }).route('/busy', 503);
    await expect(httpStream({ url: `${target.url}/gone`, method: 'GET' }, 'GET gone')).rejects.toMatchObject({ type: 'Http404', nonRetryable: true, message: 'GET gone: resource not found' });
    await expect(httpStream({ url: `${target.url}/busy`, method: 'GET' }, 'GET busy')).rejects.toMatchObject({ type: 'Http503', nonRetryable: false });
  });
});

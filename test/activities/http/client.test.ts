import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertOk, httpCall } from '../../../activities/http/client.ts';
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
});

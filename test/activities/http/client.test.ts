import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { assertOk, httpCall, httpStream, redactUrl } from '../../../activities/http/client.ts';
import { createClients } from '../../../activities/clients.ts';
import { httpRequest } from '../../../activities/http/request.ts';
import { silentLogger } from '../../../src/log.ts';
import { falcoEvent, testConfig } from '../../support/temporal.ts';
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
    await expect(httpStream({ url: `${target.url}/gone`, method: 'GET' }, 'GET gone')).rejects.toMatchObject({
      type: 'Http404',
      nonRetryable: true,
      message: 'GET gone: resource not found',
    });
    await expect(httpStream({ url: `${target.url}/busy`, method: 'GET' }, 'GET busy')).rejects.toMatchObject({ type: 'Http503', nonRetryable: false });
  });
});

/** Runs http:request directly (outside an activity only timeout_seconds bounds the request). */
async function request(parameters: Record<string, unknown>) {
  const config = testConfig();
  return httpRequest.run(
    { event: falcoEvent(), context: {}, parameters: httpRequest.spec.params.parse(parameters), rule: 'r', action: 'a', idempotencyKey: 'w/0' },
    { config, log: silentLogger, clients: createClients(config) },
  );
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ApplicationFailure) return error;
  throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
}

describe('secrets in URLs', () => {
  it('redactUrl drops userinfo, query and fragment', () => {
    expect(redactUrl('https://user:pass@es:9200/x/_doc?token=abc#f')).toBe('https://es:9200/x/_doc?…');
    expect(redactUrl('http://hooks.example.com/talon')).toBe('http://hooks.example.com/talon');
    expect(redactUrl('http://u:p@exa mple/?t=1')).toBe('http://exa mple/?…');
  });

  it('credentials in the URL fail permanently before anything is sent, without the password in the error', async () => {
    target.route('/creds', 200);
    const url = target.url.replace('http://', 'http://elastic:s3cret@') + '/creds';
    const failure = await failureOf(httpCall({ url, method: 'POST', body: '{}' }));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(failure.message).toContain(`POST ${target.url}/creds: Request cannot be constructed from a URL that includes credentials`);
    expect(failure.message).not.toContain('s3cret');
    expect(target.requestsTo('/creds')).toHaveLength(0);
  });

  it('an unparseable URL fails permanently, its query redacted', async () => {
    const failure = await failureOf(httpCall({ url: 'http://exa mple/?token=abc', method: 'GET' }));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    expect(failure.message).toBe('GET http://exa mple/?…: Failed to parse URL from http://exa mple/?…: Invalid URL');
  });

  it('network errors and status errors do not quote the query (tokens travel there)', async () => {
    const network = await failureOf(httpCall({ url: 'http://127.0.0.1:9/hook?token=abc', method: 'GET', timeoutMs: 1000 }));
    expect(network).toMatchObject({ type: 'NetworkError', nonRetryable: false });
    expect(network.message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/hook\?…: fetch failed/);
    expect(network.message).not.toContain('abc');

    target.route('/q', { status: 404, body: 'no' });
    const status = await failureOf(request({ url: `${target.url}/q?token=abc`, method: 'GET' }));
    expect(status).toMatchObject({ type: 'Http404', nonRetryable: true, message: `GET ${target.url}/q?…: resource not found` });
  });
});

describe('http:request headers', () => {
  it("the user's headers replace the defaults whatever their case (one User-Agent, not 'mine, falco-talon')", async () => {
    target.route('/headers', 200);
    await request({ url: `${target.url}/headers`, headers: { 'User-Agent': 'mine', 'Content-Type': 'text/plain', 'X-Team': 'sec' } });
    const [sent] = target.requestsTo('/headers');
    expect(sent?.headers['user-agent']).toBe('mine');
    expect(sent?.headers['content-type']).toBe('text/plain');
    expect(sent?.headers['x-team']).toBe('sec');
  });

  it('sends its defaults when the user sets none', async () => {
    target.route('/defaults', 200);
    await request({ url: `${target.url}/defaults` });
    const [sent] = target.requestsTo('/defaults');
    expect(sent?.headers['user-agent']).toBe('falco-talon');
    expect(sent?.headers['content-type']).toBe('application/json');
  });
});

describe('alert values in the URL', () => {
  const eventWith = (pod: string) => falcoEvent({ output_fields: { 'k8s.pod.name': pod, 'k8s.ns.name': 'prod' } });
  async function requestFor(pod: string, url: string) {
    const config = testConfig();
    return httpRequest.run(
      { event: eventWith(pod), context: {}, parameters: httpRequest.spec.params.parse({ url }), rule: 'r', action: 'a', idempotencyKey: 'w/0' },
      { config, log: silentLogger, clients: createClients(config) },
    );
  }

  it('a pod named ../../etc stays one encoded path segment', async () => {
    target.route('/pods/prod/..%2F..%2Fetc/isolate', 200);
    await requestFor('../../etc', `${target.url}/pods/\${K8S_NS_NAME}/\${K8S_POD_NAME}/isolate`);
    expect(target.requests.at(-1)?.url).toBe('/pods/prod/..%2F..%2Fetc/isolate');
  });

  it("a value with ?, & and # cannot replace the rule's query or add a fragment", async () => {
    target.route('/q', 200);
    await requestFor('evil?x=1&a=spoof#frag', `${target.url}/q?pod=\${K8S_POD_NAME}&token=secret`);
    const sent = new URL(target.requests.at(-1)?.url ?? '', 'http://x');
    expect(sent.pathname).toBe('/q');
    expect([...sent.searchParams]).toEqual([
      ['pod', 'evil?x=1&a=spoof#frag'],
      ['token', 'secret'],
    ]);
  });

  it('a value cannot change the host', async () => {
    const failure = await failureOf(requestFor('evil.example/x?', `http://\${K8S_POD_NAME}.example.com/`));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
  });

  it('a value that is a whole . or .. segment is refused, not resolved', async () => {
    const failure = await failureOf(requestFor('..', `${target.url}/pods/\${K8S_POD_NAME}/x`));
    expect(failure).toMatchObject({ type: 'InvalidParameter', nonRetryable: true });
  });

  it('the result and its objects show the URL without its query (it may carry a token)', async () => {
    target.route('/r', 200);
    const result = await requestFor('web', `${target.url}/r?token=secret&pod=\${K8S_POD_NAME}`);
    expect(result.result).toBe(`the request 'POST ${target.url}/r?…' returned 200`);
    expect(result.objects.url).toBe(`${target.url}/r?…`);
    expect(JSON.stringify(result.objects)).not.toContain('secret');
  });
});

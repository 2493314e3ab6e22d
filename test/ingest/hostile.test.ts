import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeEvent, MAX_NESTING } from '../../src/events/decode.ts';
import { createApp } from '../../src/ingest/app.ts';
import { clip } from '../../src/ingest/clip.ts';
import { MAX_KEYWORD_BYTES, startSearchAttributes } from '../../src/ingest/search-attributes.ts';
import { MAX_MEMO_BYTES, playbookStartOptions } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { planEvent } from '../../src/plan/plan.ts';
import { KEEP_ALIVE_MS, listen } from '../../src/roles/ingest-server.ts';
import { falcoEvent, recordingStarter, rulesFromYaml } from '../support/fixtures.ts';

// Hostile input at the edge: 4xx with the reason, never a 5xx, nothing started.

const yaml = `- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
`;

async function app() {
  const ruleSet = await rulesFromYaml(yaml);
  const { starter, starts } = recordingStarter();
  return { ingest: createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger }), starts };
}

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('decoding limits', () => {
  it(`refuses JSON nested deeper than ${MAX_NESTING} levels, in output_fields or tags, before parsing it`, () => {
    for (const body of [
      `{"output":"x","priority":"Warning","rule":"r","output_fields":{"a":${nested(10_000)}}}`,
      `{"output":"x","priority":"Warning","rule":"r","tags":${nested(10_000)}}`,
    ]) {
      expect(decodeEvent(body)).toEqual({ ok: false, error: `JSON nested deeper than ${MAX_NESTING} levels` });
    }
    expect(decodeEvent(`{"output":"x","priority":"Warning","rule":"r","output_fields":{"a":${nested(MAX_NESTING - 2)}}}`).ok).toBe(true);
  });

  it('does not count brackets inside strings', () => {
    expect(decodeEvent(JSON.stringify({ output: '['.repeat(1000), priority: 'Warning', rule: 'r', output_fields: { a: '{"\\\\"'.repeat(500) } })).ok).toBe(
      true,
    );
  });
});

describe('hostile requests to the ingest app', () => {
  it('answers 400 to a body that is not valid UTF-8, starting nothing', async () => {
    const { ingest, starts } = await app();
    const body = Buffer.concat([
      Buffer.from('{"output":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('","priority":"Warning","rule":"Terminal shell in container"}'),
    ]);
    const response = await ingest.request('/', { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'the body is not valid UTF-8' });
    expect(starts).toHaveLength(0);
  });

  // TRACE cannot be built as a fetch Request (app.request); over a socket it is in the next test.
  it.each(['PROPFIND', 'PURGE', 'GET', 'OPTIONS'])('answers 405 with Allow: POST to %s on any path', async (method) => {
    const { ingest } = await app();
    for (const path of ['/', '/any/path']) {
      const response = await ingest.request(path, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('answers 405 to TRACE over a real socket', async () => {
    const { ingest } = await app();
    const server = await listen(ingest, '127.0.0.1', 0);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.url}/`, { method: 'TRACE' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it("listens with a queue longer than Node's 511, so a storm of new connections waits instead of being dropped", async () => {
    const { ingest } = await app();
    const server = await listen(ingest, '127.0.0.1', 0);
    try {
      // The kernel reports a listening socket's queue length as its Send-Q, capped by somaxconn.
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      const listening = execFileSync('ss', ['-Hltn', `sport = :${server.port}`], { encoding: 'utf8' })
        .trim()
        .split(/\s+/);
      expect(Number(listening[2])).toBe(Math.min(somaxconn, 65_535));
      expect(Number(listening[2])).toBeGreaterThan(511);
    } finally {
      await server.close();
    }
  });

  it("keeps an idle keep-alive connection open longer than Go's 90 s client idle timeout, so the sender closes it first", async () => {
    const { ingest } = await app();
    const server = await listen(ingest, '127.0.0.1', 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
        httpRequest(`${server.url}/healthz`, { agent }, (res) => {
          res.resume();
          resolve(res.headers['keep-alive']?.toString());
        })
          .on('error', reject)
          .end();
      });
      expect(keepAlive).toBe(`timeout=${KEEP_ALIVE_MS / 1000}`);
      expect(KEEP_ALIVE_MS).toBeGreaterThan(90_000);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('answers 408 to a client that trickles its headers or its body, within the read bounds', async () => {
    const { ingest, starts } = await app();
    const server = await listen(ingest, '127.0.0.1', 0, undefined, { headersMs: 300, requestMs: 600 });
    const slow = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1', () => socket.write(text));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });
    try {
      const started = Date.now();
      expect(await slow('POST / HTTP/1.1\r\nHost: x\r\n')).toMatch(/^HTTP\/1\.1 408/);
      expect(await slow('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"output":')).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(starts).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('closes the connection after a 413, so the next request on a keep-alive agent is not mistaken', async () => {
    const ruleSet = await rulesFromYaml(yaml);
    const { starter } = recordingStarter();
    const server = await listen(createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger, maxBodyBytes: 1024 }), '127.0.0.1', 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.url}/`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const alert = (output: string) => JSON.stringify({ output, priority: 'Warning', rule: 'Terminal shell in container' });
      expect(await send(alert('x'.repeat(5000)))).toBe(413);
      expect(await send(alert('after a 413'))).toBe(200);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('answers 400 to a deeply nested body', async () => {
    const { ingest, starts } = await app();
    const body = `{"output":"x","priority":"Warning","rule":"Terminal shell in container","output_fields":{"a":${nested(10_000)}}}`;
    expect((await ingest.request('/', { method: 'POST', body })).status).toBe(400);
    expect(starts).toHaveLength(0);
  });
});

describe('over-long values', () => {
  it('clip keeps short text, and cuts long text to its start, an ellipsis and a hash, within the byte bound', () => {
    expect(clip('web-1', 16)).toBe('web-1');
    const long = 'é'.repeat(3000);
    const clipped = clip(long, 256);
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(256);
    expect(clipped).toMatch(/^é+…sha256:[0-9a-f]{16}$/);
    expect(clip(`${long}x`, 256)).not.toBe(clipped);
  });

  it('search attributes and memo carry clipped values; the workflow input keeps them whole', async () => {
    const pod = `p${'o'.repeat(3000)}d`;
    const event = falcoEvent({ hostname: 'h'.repeat(5000), output: 'o'.repeat(10_000), output_fields: { 'k8s.pod.name': pod, 'k8s.ns.name': 'prod' } });
    const plan = planEvent(event, await rulesFromYaml(yaml), { defaultNotifiers: [], dedupWindowSeconds: 5 });
    expect(plan).toBeDefined();
    const attributes = startSearchAttributes(plan!.input.event, plan!.input.rules);
    for (const { value } of attributes) {
      for (const text of Array.isArray(value) ? value : [value])
        if (typeof text === 'string') expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_KEYWORD_BYTES);
    }
    const options = playbookStartOptions('q', plan!.workflowId, plan!.input, attributes);
    expect(Buffer.byteLength(options.memo.output)).toBeLessThanOrEqual(MAX_MEMO_BYTES);
    expect(options.args[0].event.output_fields['k8s.pod.name']).toBe(pod);
    expect(options.args[0].event.output).toHaveLength(10_000);
  });
});

import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { AesGcmCodec } from '../../src/temporal/codec.ts';
import { parseEncryptionKeys } from '../../src/temporal/encryption-keys.ts';
import { recordingStarter, rulesFromYaml } from '../support/fixtures.ts';

const TOKEN = 'codec-test-token-0123456789';
const UI = 'https://temporal.example.com';
const codec = new AesGcmCodec(parseEncryptionKeys([`k1:${randomBytes(32).toString('base64')}`]));

async function app() {
  const ruleSet = await rulesFromYaml('- rule: r\n  match: { rules: [x] }\n  actions:\n    - action: a\n      actionner: kubernetes:cordon\n');
  return createApp({
    rules: () => ruleSet,
    starter: recordingStarter().starter,
    metrics: new Metrics(),
    log: silentLogger,
    auth: { tokens: [TOKEN], hmacSecrets: [], hmacWindowSeconds: 300, mutualTls: false },
    codec: { codec, corsOrigins: [UI] },
  });
}

const toJson = (p: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

describe('codec endpoint for the Temporal UI', () => {
  it('decodes encrypted payloads for an authenticated caller, in the codec-server JSON shape', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ output: 'secret text' })]);
    const response = await (
      await app()
    ).request('/codec/decode', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default', origin: UI },
      body: JSON.stringify({ payloads: [toJson(encrypted!)] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]?.data ?? '', 'base64').toString())).toEqual({ output: 'secret text' });
  });

  it('refuses a caller without credentials (401), and bad bodies (400)', async () => {
    const ingest = await app();
    const post = (body: string, headers: Record<string, string> = {}) =>
      ingest.request('/codec/decode', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post('{"payloads":[]}')).status).toBe(401);
    expect((await post('{"nope":1}', { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
    const foreign = { payloads: [{ metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: 'AAAA' }] };
    expect((await post(JSON.stringify(foreign), { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
  });

  it("answers the browser's preflight for the listed UI origin only, without credentials", async () => {
    const preflight = (origin: string) =>
      app().then((a) =>
        a.request('/codec/decode', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
        }),
      );
    const allowed = await preflight(UI);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI);
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { recordingStarter, rulesFromYaml } from '../support/fixtures.ts';

// Caller authentication, in memory (app.request): tokens (Bearer and Basic) and HMAC signatures.
// Mutual TLS needs a socket: test/ingest/mtls.test.ts.

const TOKENS = ['first-token-0123456789', 'second-token-0123456789'];
const SECRETS = ['hmac-secret-0123456789'];
const yaml = `- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
`;
const alert = (n = 0) => JSON.stringify({ output: `Shell spawned ${n}`, priority: 'Warning', rule: 'Terminal shell in container' });

async function setup(options: { protectMetrics?: boolean; now?: () => number } = {}) {
  const ruleSet = await rulesFromYaml(yaml);
  const { starter, starts } = recordingStarter();
  const metrics = new Metrics();
  const app = createApp({
    rules: () => ruleSet,
    starter,
    metrics,
    log: silentLogger,
    auth: { tokens: TOKENS, hmacSecrets: SECRETS, hmacWindowSeconds: 300, mutualTls: false, now: options.now },
    protectMetrics: options.protectMetrics,
  });
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { app, starts, metrics, post };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const sign = (secret: string, timestamp: number, body: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
const refusals = async (metrics: Metrics) =>
  (await metrics.registry.getSingleMetricAsString('talon_errors_total')).split('\n').filter((l) => l.includes('unauthorized'));

describe('ingest tokens', () => {
  it('accepts `Authorization: Bearer <token>` and HTTP Basic with the token as password, for every configured token', async () => {
    const { post, starts } = await setup();
    expect((await post(alert(1), { authorization: `Bearer ${TOKENS[0]}` })).status).toBe(200);
    expect((await post(alert(2), { authorization: `Bearer ${TOKENS[1]}` })).status).toBe(200);
    // What Falco's http_output.url and falcosidekick's talon.address send for https://talon:<token>@host/.
    expect((await post(alert(3), { authorization: basic('talon', TOKENS[1]!) })).status).toBe(200);
    expect(starts).toHaveLength(3);
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
    ['a token as Basic user instead of password', { authorization: basic(TOKENS[0]!, '') }],
    ['an unknown scheme', { authorization: `Token ${TOKENS[0]}` }],
  ])('refuses %s with 401, the same body whatever failed, counted, starting nothing', async (_name, headers) => {
    const { post, starts, metrics } = await setup();
    const response = await post(alert(), headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="talon", Basic realm="talon"');
    expect(starts).toHaveLength(0);
    expect(await refusals(metrics)).toHaveLength(1);
  });

  it('leaves /healthz open, and /metrics open unless protect_metrics', async () => {
    const open = await setup();
    expect((await open.app.request('/healthz')).status).toBe(200);
    expect((await open.app.request('/metrics')).status).toBe(200);
    const protectedMetrics = await setup({ protectMetrics: true });
    expect((await protectedMetrics.app.request('/healthz')).status).toBe(200);
    expect((await protectedMetrics.app.request('/metrics')).status).toBe(401);
    expect((await protectedMetrics.app.request('/metrics', { headers: { authorization: `Bearer ${TOKENS[0]}` } })).status).toBe(200);
  });
});

describe('ingest HMAC signatures', () => {
  const now = 1_800_000_000_000;
  const ts = now / 1000;

  it('accepts the HMAC-SHA256 of "<timestamp>.<body>", with or without the sha256= prefix', async () => {
    const { post, starts } = await setup({ now: () => now });
    const body = alert(1);
    expect((await post(body, { 'x-talon-timestamp': String(ts), 'x-talon-signature': sign(SECRETS[0]!, ts, body) })).status).toBe(200);
    const other = alert(2);
    expect((await post(other, { 'x-talon-timestamp': String(ts), 'x-talon-signature': sign(SECRETS[0]!, ts, other).slice(7) })).status).toBe(200);
    expect(starts).toHaveLength(2);
  });

  it('refuses a wrong secret, another body, a timestamp outside the window and a replay', async () => {
    const { post, starts, metrics } = await setup({ now: () => now });
    const body = alert(1);
    const headers = (signature: string, at = ts) => ({ 'x-talon-timestamp': String(at), 'x-talon-signature': signature });
    expect((await post(body, headers(sign('another-secret-0123456789', ts, body)))).status).toBe(401);
    expect((await post(alert(9), headers(sign(SECRETS[0]!, ts, body)))).status).toBe(401);
    expect((await post(body, headers(sign(SECRETS[0]!, ts - 301, body), ts - 301))).status).toBe(401);
    expect((await post(body, { 'x-talon-signature': sign(SECRETS[0]!, ts, body) })).status).toBe(401);
    expect((await post(body, headers(sign(SECRETS[0]!, ts, body)))).status).toBe(200);
    expect((await post(body, headers(sign(SECRETS[0]!, ts, body)))).status).toBe(401);
    expect(starts).toHaveLength(1);
    expect((await refusals(metrics)).join('\n')).toMatch(/unauthorized_replayed/);
  });
});

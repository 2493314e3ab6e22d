import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { listen, type RunningServer } from '../../src/roles/ingest-server.ts';
import { createPki, type KubePki } from '../kube/harness/pki.ts';
import { recordingStarter, rulesFromYaml } from '../support/fixtures.ts';

// Mutual TLS over a real HTTPS socket: a client certificate signed by tls.client_ca_file
// authenticates the request (Falco's http_output.mtls); tokens still work beside it.

const TOKEN = 'mtls-side-token-0123456789';
let pki: KubePki;
let stranger: KubePki;
let server: RunningServer;
let starts: string[] = [];

beforeAll(async () => {
  pki = await createPki(mkdtempSync(join(tmpdir(), 'talon-mtls-')));
  stranger = await createPki(mkdtempSync(join(tmpdir(), 'talon-mtls-other-')));
  const ruleSet = await rulesFromYaml(`- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
`);
  const recording = recordingStarter();
  const starter = recording.starter;
  starts = recording.starts;
  const app = createApp({
    rules: () => ruleSet,
    starter,
    metrics: new Metrics(),
    log: silentLogger,
    auth: { tokens: [TOKEN], hmacSecrets: [], mutualTls: true },
  });
  server = await listen(app, '127.0.0.1', 0, { certFile: pki.servingCert, keyFile: pki.servingKey, clientCaFile: pki.caCert });
});

afterAll(async () => server?.close());

function post(body: string, options: { cert?: string; key?: string; token?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/`,
      {
        method: 'POST',
        ca: readFileSync(pki.caCert),
        ...(options.cert && options.key ? { cert: readFileSync(options.cert), key: readFileSync(options.key) } : {}),
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const alert = (n: number) => JSON.stringify({ output: `Shell spawned over mTLS ${n}`, priority: 'Warning', rule: 'Terminal shell in container' });

describe('ingest over HTTPS with mutual TLS', () => {
  it('serves HTTPS and accepts a client certificate signed by the configured CA', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await post(alert(1), { cert: pki.adminCert, key: pki.adminKey })).toBe(200);
  });

  it('answers 401 without a client certificate, or with one from another CA, and starts nothing', async () => {
    const before = starts.length;
    expect(await post(alert(2), {})).toBe(401);
    expect(await post(alert(3), { cert: stranger.adminCert, key: stranger.adminKey })).toBe(401);
    expect(starts.length).toBe(before);
  });

  it('still accepts a token from a client without a certificate', async () => {
    expect(await post(alert(4), { token: TOKEN })).toBe(200);
  });
});

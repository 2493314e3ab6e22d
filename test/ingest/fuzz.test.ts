import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { recordingStarter, rulesFromYaml } from '../support/fixtures.ts';

// Property: whatever a sender posts, the ingest answers 2xx (a valid alert) or 4xx (anything
// else) — never a 5xx, never a crash — and its memory comes back near where it started.

const yaml = `- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/\${K8S_POD_NAME}?ns=\${K8S_NS_NAME}" }
`;

const json = fc.jsonValue({ maxDepth: 4 });
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '../../etc', '$(touch /tmp/x)', 'a'.repeat(3000)),
);
const alertLike = fc.record(
  {
    output: fc.oneof(text, json),
    priority: fc.oneof(fc.constantFrom('Warning', 'Critical', 'Informational', ''), text, json),
    rule: fc.oneof(fc.constant('Terminal shell in container'), text, json),
    hostname: fc.oneof(text, json),
    time: fc.oneof(fc.constantFrom('2026-11-28T10:00:00Z', 'yesterday', ''), text, json),
    source: fc.oneof(text, json),
    output_fields: fc.oneof(fc.dictionary(fc.constantFrom('k8s.pod.name', 'k8s.ns.name', 'fd.rip', 'proc.name'), fc.oneof(text, json)), json),
    tags: fc.oneof(fc.array(fc.oneof(text, json), { maxLength: 5 }), json),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  alertLike.map((a) => JSON.stringify(a)),
  json.map((j) => JSON.stringify(j)),
  text,
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc
    .integer({ min: 1, max: 5000 })
    .map((depth) => `{"output":"x","priority":"Warning","rule":"r","output_fields":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`),
);
const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND');
const path = fc.oneof(fc.constantFrom('/', '/healthz', '/metrics', '/any/where'), fc.webPath());
const headers = fc.dictionary(
  fc.constantFrom('content-type', 'x-talon-signature', 'authorization', 'x-custom'),
  fc.string({ maxLength: 64 }).filter((v) => /^[\t\x20-\x7e]*$/.test(v)),
  { maxKeys: 3 },
);

describe('ingest under generated hostile requests', () => {
  it('answers only 2xx or 4xx to 10,000 generated requests, and its memory comes back', async () => {
    const ruleSet = await rulesFromYaml(yaml);
    const { starter, starts } = recordingStarter();
    const ingest = createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger, maxBodyBytes: 64 * 1024 });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (m, p, h, b) => {
        const response = await ingest.request(p, { method: m, headers: h, ...(m === 'GET' || m === 'HEAD' ? {} : { body: b }) });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        await response.arrayBuffer();
        return response.status < 500;
      }),
      { numRuns: 10_000, seed: 20261128 },
    );
    const after = process.memoryUsage().heapUsed;
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    expect(starts.length).toBeGreaterThan(0);
    // Generous: the point is no growth with the number of requests (a leak would be hundreds of MB).
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { TemporalUnavailableError, type WorkflowStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import type { PlaybookInput } from '../../src/contract/index.ts';
import { rulesFromYaml } from '../support/fixtures.ts';

// In-memory tests of the Hono app (app.request, no sockets); the starter is injected. Real-server
// behaviour (dedup, unreachable Temporal) is in dedup.test.ts and unavailable.test.ts.

const yaml = `- rule: shell
  match:
    rules: [Terminal shell in container]
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/x" }
`;

function recordingStarter(behaviour: 'ok' | 'unavailable' | 'error' = 'ok') {
  const starts: { workflowId: string; input: PlaybookInput }[] = [];
  const starter: WorkflowStarter = {
    async start(workflowId, input) {
      if (behaviour === 'unavailable') throw new TemporalUnavailableError('connect ECONNREFUSED');
      if (behaviour === 'error') throw new Error('boom');
      starts.push({ workflowId, input });
      return { status: 'started', workflowId, runId: 'run-1' };
    },
    async healthy() {
      return behaviour === 'ok';
    },
  };
  return { starter, starts };
}

async function app(behaviour: 'ok' | 'unavailable' | 'error' = 'ok', maxBodyBytes?: number) {
  const ruleSet = await rulesFromYaml(yaml);
  const { starter, starts } = recordingStarter(behaviour);
  const metrics = new Metrics();
  return { app: createApp({ rules: () => ruleSet, starter, metrics, log: silentLogger, maxBodyBytes }), starts, metrics };
}

const good = { output: '10:20:30.123456789: Warning Shell spawned (user=root)', priority: 'Warning', rule: 'Terminal shell in container', output_fields: {} };
const post = (body: string) => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } }) satisfies RequestInit;

describe('ingest endpoint input handling', () => {
  it.each([
    ['invalid JSON', '{"output":', /invalid JSON/],
    ['an empty body', '', /empty/],
    ['a JSON array', '[1,2]', /object/],
    ['a missing output', JSON.stringify({ ...good, output: undefined }), /output/],
    ['a missing rule', JSON.stringify({ ...good, rule: undefined }), /rule/],
    ['a missing priority', JSON.stringify({ ...good, priority: undefined }), /priority/],
    ['a non-string output', JSON.stringify({ ...good, output: 42 }), /output/],
    ['non-array tags', JSON.stringify({ ...good, tags: 'a,b' }), /tags/],
    ['non-object output_fields', JSON.stringify({ ...good, output_fields: [] }), /output_fields/],
    ['an unparsable time', JSON.stringify({ ...good, time: 'yesterday' }), /time/],
  ])('answers 400 naming the problem for %s, and starts nothing', async (_name, body, reason) => {
    const { app: ingest, starts } = await app();
    const response = await ingest.request('/', post(body));
    expect(response.status).toBe(400);
    const json = await response.json();
    expect(json.error).toMatch(reason);
    expect(starts).toHaveLength(0);
  });

  it('answers 413 for a body over the limit', async () => {
    const { app: ingest, starts } = await app('ok', 1024);
    const response = await ingest.request('/', post(JSON.stringify({ ...good, output: 'x'.repeat(2000) })));
    expect(response.status).toBe(413);
    expect(starts).toHaveLength(0);
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers 405 with Allow: POST to %s', async (method) => {
    const { app: ingest } = await app();
    const response = await ingest.request('/', { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers 503 with Retry-After when Temporal is unreachable', async () => {
    const { app: ingest } = await app('unavailable');
    const response = await ingest.request('/', post(JSON.stringify(good)));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('answers 500 when the start fails for another reason', async () => {
    const { app: ingest } = await app('error');
    expect((await ingest.request('/', post(JSON.stringify(good)))).status).toBe(500);
  });

  it('starts one workflow with the stripped event and the planned rules, on any path', async () => {
    const { app: ingest, starts } = await app();
    const response = await ingest.request('/falco/events', post(JSON.stringify({ ...good, Hostname: 'node-7' })));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'started', runId: 'run-1', rules: ['shell'] });
    expect(starts).toHaveLength(1);
    expect(starts[0]?.workflowId).toMatch(/^falco-[0-9a-f]{64}$/);
    expect(starts[0]?.input.event).toMatchObject({ output: 'Shell spawned (user=root)', hostname: 'node-7', source: 'syscall' });
    expect(starts[0]?.input.rules[0]?.actions[0]).toMatchObject({ actionner: 'http:request', effectiveContinue: true, outputMode: 'allowed' });
  });

  it('answers ignored and starts nothing when no rule matches', async () => {
    const { app: ingest, starts, metrics } = await app();
    const response = await ingest.request('/', post(JSON.stringify({ ...good, rule: 'Something else' })));
    expect(await response.json()).toEqual({ status: 'ignored' });
    expect(starts).toHaveLength(0);
    expect(await metrics.registry.metrics()).toContain('talon_events_ignored_total 1');
  });

  it('serves /healthz (503 when Temporal is down) and /metrics', async () => {
    const { app: up } = await app();
    expect((await up.request('/healthz')).status).toBe(200);
    const { app: down } = await app('unavailable');
    const health = await down.request('/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable' });
    await up.request('/', post(JSON.stringify(good)));
    const metrics = await (await up.request('/metrics')).text();
    expect(metrics).toContain('falcosecurity_falco_talon_events_total{event="Terminal shell in container",priority="Warning",source="syscall"} 1');
    expect(metrics).toContain('talon_workflows_started_total 1');
    expect(metrics).toContain('talon_workflow_start_seconds_count 1');
  });
});

describe('rule-level continue at ingest', () => {
  const chained = `- rule: first
  continue: false
  match: { rules: [Terminal shell in container] }
  actions:
    - action: a
      actionner: http:request
      parameters: { url: "http://127.0.0.1:9/a" }
- rule: second
  match: { rules: [Terminal shell in container] }
  actions:
    - action: b
      actionner: kubernetes:label
      parameters: { labels: { x: "y" } }
`;

  it('names only the rules that run in the answer, the workflow input and the search attributes', async () => {
    const ruleSet = await rulesFromYaml(chained);
    const starts: { input: PlaybookInput; attributes: string[] }[] = [];
    const starter: WorkflowStarter = {
      async start(workflowId, input, searchAttributes) {
        starts.push({ input, attributes: searchAttributes.map((pair) => `${pair.key.name}=${JSON.stringify(pair.value)}`) });
        return { status: 'started', workflowId, runId: 'run-1' };
      },
      async healthy() {
        return true;
      },
    };
    const ingest = createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger });
    const response = await ingest.request('/', post(JSON.stringify(good)));
    expect(await response.json()).toMatchObject({ status: 'started', rules: ['first'] });
    expect(starts[0]?.input.rules.map((rule) => rule.name)).toEqual(['first']);
    expect(starts[0]?.attributes).toContain('TalonRules=["first"]');
    expect(starts[0]?.attributes).toContain('TalonActionners=["http:request"]');
  });
});

describe('shutting down', () => {
  it('answers alerts 503 with Retry-After and closes the connection once it stops accepting; health still answers', async () => {
    const ruleSet = await rulesFromYaml(yaml);
    const { starter, starts } = recordingStarter();
    let accepting = true;
    const ingest = createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger, accepting: () => accepting });
    expect((await ingest.request('/', post(JSON.stringify(good)))).status).toBe(200);
    accepting = false;
    const response = await ingest.request('/', post(JSON.stringify({ ...good, output: 'another' })));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('connection')).toBe('close');
    expect(starts).toHaveLength(1);
    const health = await ingest.request('/healthz');
    expect([health.status, health.headers.get('connection')]).toEqual([200, 'close']);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createElasticsearchNotifier, indexName } from '../../../activities/notifiers/elasticsearch.ts';
import { elasticsearchSpec } from '../../../activities/notifiers/elasticsearch.spec.ts';
import { indexTemplate } from '../../../activities/notifiers/elasticsearch-template.ts';
import { HttpTarget } from '../../support/http-target.ts';
import { runPlaybook, startTestWorker, testClient, testConfig } from '../../support/temporal.ts';
import { actionReport, deps, failedActionReport, failureOf, INCIDENT_BODY, INCIDENT_SHA256, notifyingRule, outputReport } from './fixtures.ts';

const TEMPLATE = '/_index_template/falco-talon';
const DOC = '/falco-talon/_doc';
let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  target.route(TEMPLATE, 404, 200);
  target.route(DOC, { status: 201, body: '{"result":"created"}' });
});

const auth = `Basic ${Buffer.from('elastic:changeme').toString('base64')}`;
const cfg = (raw: Record<string, unknown> = {}) =>
  elasticsearchSpec.config.parse({ url: target.url, suffix: 'none', user: 'elastic', password: 'changeme', custom_headers: { 'X-Team': 'secops' }, ...raw });

function expectCredentials(headers: Record<string, unknown> | undefined) {
  expect(headers).toMatchObject({ authorization: auth, 'x-team': 'secops', 'content-type': 'application/json' });
}

describe('elasticsearch notifier', () => {
  it('creates a valid template once, then indexes documents; every request carries auth and custom headers', async () => {
    const notifier = createElasticsearchNotifier();
    const before = Date.now();
    await notifier.send(actionReport, cfg(), deps);
    await notifier.send(outputReport, cfg(), deps);
    expect(target.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${TEMPLATE}`, `PUT ${TEMPLATE}`, `POST ${DOC}`, `POST ${DOC}`]);
    for (const request of target.requests) expectCredentials(request.headers);
    const put = target.requests[1];
    expect(JSON.parse(put?.body ?? '')).toEqual(indexTemplate({ index: 'falco-talon', number_of_shards: 3, number_of_replicas: 3 }));
    expect(JSON.parse(put?.body ?? '')).toMatchObject({
      index_patterns: ['falco-talon-*', 'falco-talon'],
      template: { settings: { number_of_shards: 3, number_of_replicas: 3 }, mappings: { properties: { time: { type: 'date' } } } },
    });
    const [first, second] = target.requestsTo(DOC).map((r): Record<string, unknown> => JSON.parse(r.body));
    expect(first).toEqual({
      objects: { Pod: 'nginx-1', Namespace: 'prod' },
      trace_id: 'trace-1',
      rule: 'Terminal shell in container',
      event: actionReport.event,
      message: 'action',
      status: 'success',
      actionner: 'kubernetes:terminate',
      action: 'Terminate Pod',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Date.parse(String(first?.time))).toBeGreaterThanOrEqual(before - 1);
    expect(second).toMatchObject({
      message: 'output',
      output_target: 'local:file',
      category: 'local',
      output: outputReport.output,
      artifact: outputReport.artifact,
    });
  });

  it('does not replace an existing template', async () => {
    target.route(TEMPLATE, 200);
    await createElasticsearchNotifier().send(failedActionReport, cfg(), deps);
    expect(target.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(target.requests[1]?.body ?? '')).toMatchObject({ status: 'failure', error: "pods 'nginx-1' not found" });
  });

  it('skips the template when create_index_template is false and sends no auth without credentials', async () => {
    await createElasticsearchNotifier().send(actionReport, cfg({ create_index_template: false, user: '', custom_headers: {} }), deps);
    expect(target.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${DOC}`]);
    expect(target.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('a transient template failure fails the send (retryable) and the next attempt checks again', async () => {
    const notifier = createElasticsearchNotifier();
    target.route(TEMPLATE, 404, { status: 503, body: 'busy' }, 404, 200);
    const failure = await failureOf(notifier.send(actionReport, cfg(), deps));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'Http503', message: `elasticsearch PUT ${target.url}${TEMPLATE}: unexpected status 503: busy` });
    expect(target.requestsTo(DOC)).toHaveLength(0);
    await notifier.send(actionReport, cfg(), deps);
    expect(target.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT', 'POST']);
  });

  it('a 503 on the document is retryable, a 401 permanent, with Talon texts', async () => {
    const noTemplate = cfg({ create_index_template: false });
    const elasticsearch = createElasticsearchNotifier();
    target.route(DOC, { status: 503, body: 'unavailable' });
    expect(await failureOf(elasticsearch.send(actionReport, noTemplate, deps))).toMatchObject({
      nonRetryable: false,
      message: `elasticsearch POST ${target.url}${DOC}: unexpected status 503: unavailable`,
    });
    target.route(DOC, 401);
    expect(await failureOf(elasticsearch.send(actionReport, noTemplate, deps))).toMatchObject({
      nonRetryable: true,
      type: 'Http401',
      message: `elasticsearch POST ${target.url}${DOC}: authentication error`,
    });
  });

  it('writes to a dated index by default (UTC)', async () => {
    const today = indexName({ index: 'talon', suffix: 'daily' }, new Date());
    target.route(`/${today}/_doc`, 201);
    await createElasticsearchNotifier().send(actionReport, cfg({ index: 'talon', suffix: 'daily', create_index_template: false }), deps);
    expect(target.requests.map((r) => r.path)).toEqual([`/${today}/_doc`]);
  });

  it.each([
    ['daily', 'falco-talon-2024.01.05'],
    ['monthly', 'falco-talon-2024.01'],
    ['annually', 'falco-talon-2024'],
    ['none', 'falco-talon'],
  ] as const)('suffix %s → %s', (suffix, name) => {
    expect(indexName({ index: 'falco-talon', suffix }, new Date('2024-01-05T23:30:00Z'))).toBe(name);
  });
});

describe('elasticsearch through the engine', () => {
  it('creates the template, and a 503 on a document is retried by Temporal: each report indexed once', async () => {
    const client = await testClient();
    // Its own index: the worker uses the process-wide `elasticsearch` notifier, whose template
    // check is cached per (url, index).
    const worker = await startTestWorker(
      testConfig({ notifiers: { elasticsearch: { url: target.url, index: 'engine', suffix: 'none', user: 'elastic', password: 'changeme' } } }),
    );
    try {
      target.route('/_index_template/engine', 404, 200);
      target.route('/engine/_doc', { status: 503, body: 'unavailable' }, 201);
      target.route('/incident', { status: 200, body: INCIDENT_BODY });
      const dir = mkdtempSync(join(tmpdir(), 'talon-es-'));
      const { report, workflowId } = await runPlaybook(client, worker, notifyingRule('elasticsearch', target.url, dir));
      expect(target.requests.filter((r) => r.path !== '/incident').map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /_index_template/engine',
        'PUT /_index_template/engine',
        'POST /engine/_doc',
        'POST /engine/_doc',
        'POST /engine/_doc',
      ]);
      for (const request of target.requests.filter((r) => r.path !== '/incident')) expect(request.headers.authorization).toBe(auth);
      const [failed, action, output] = target.requestsTo('/engine/_doc').map((r): Record<string, unknown> => JSON.parse(r.body));
      expect({ ...failed, time: undefined }).toEqual({ ...action, time: undefined });
      expect(action).toMatchObject({
        message: 'action',
        status: 'success',
        rule: 'notify elasticsearch',
        action: 'open incident',
        actionner: 'http:request',
        trace_id: workflowId,
      });
      expect(output).toMatchObject({
        message: 'output',
        status: 'success',
        output_target: 'local:file',
        category: 'local',
        trace_id: workflowId,
        artifact: { location: expect.stringMatching(new RegExp(`^file://${dir}/`)), size: INCIDENT_BODY.length, sha256: INCIDENT_SHA256 },
      });
      expect(report.notifications.map((n) => [n.notifier, n.message, n.status])).toEqual([
        ['elasticsearch', 'action', 'sent'],
        ['elasticsearch', 'output', 'sent'],
      ]);
    } finally {
      await worker.stop();
      await client.connection.close();
    }
  });
});

describe('elasticsearch config', () => {
  it('has Talon defaults', () => {
    expect(elasticsearchSpec.config.parse({ url: 'https://es:9200' })).toEqual({
      url: 'https://es:9200',
      user: '',
      password: '',
      index: 'falco-talon',
      suffix: 'daily',
      number_of_shards: 3,
      number_of_replicas: 3,
      create_index_template: true,
      custom_headers: {},
    });
  });

  it('requires a url, ≥1 shards and replicas (numbers may be text from the environment), a known suffix', () => {
    expect(elasticsearchSpec.config.safeParse({}).success).toBe(false);
    expect(elasticsearchSpec.config.safeParse({ url: 'es:9200' }).error?.issues[0]?.message).toBe('invalid url');
    expect(elasticsearchSpec.config.safeParse({ url: 'http://es', number_of_shards: 0 }).success).toBe(false);
    expect(elasticsearchSpec.config.safeParse({ url: 'http://es', number_of_replicas: 0 }).success).toBe(false);
    expect(elasticsearchSpec.config.parse({ url: 'http://es', number_of_shards: '2' }).number_of_shards).toBe(2);
    expect(elasticsearchSpec.config.safeParse({ url: 'http://es', suffix: 'weekly' }).success).toBe(false);
  });

  it('refuses credentials in the URL (fetch cannot send them, errors would quote them)', () => {
    expect(elasticsearchSpec.config.safeParse({ url: 'https://elastic:s3cret@es:9200' }).error?.issues[0]?.message).toBe(
      'credentials in the URL are not allowed: use user/password (or custom_headers)',
    );
  });
});

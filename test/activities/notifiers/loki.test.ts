import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loki, lokiPayload } from '../../../activities/notifiers/loki.ts';
import type { Report } from '../../../src/contract/index.ts';
import { HttpTarget } from '../../support/http-target.ts';
import { runPlaybook, startTestWorker, testClient, testConfig } from '../../support/temporal.ts';
import {
  actionReport,
  deps,
  failedActionReport,
  failedOutputReport,
  failureOf,
  INCIDENT_BODY,
  INCIDENT_SHA256,
  notifyingRule,
  outputReport,
} from './fixtures.ts';

const PUSH = '/loki/api/v1/push';
let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  target.route(PUSH, 204);
});

const cfg = (raw: Record<string, unknown> = {}) => loki.spec.config.parse({ url: target.url, ...raw });

async function pushed(report: Report, raw: Record<string, unknown> = {}) {
  const before = BigInt(Date.now()) * 1_000_000n;
  await loki.send(report, cfg(raw), deps);
  const after = BigInt(Date.now()) * 1_000_000n;
  const [request] = target.requestsTo(PUSH);
  expect(request?.method).toBe('POST');
  expect(request?.headers['content-type']).toBe('application/json');
  const body: unknown = JSON.parse(request?.body ?? '');
  expect(body).toMatchObject({ streams: [{ values: [[expect.stringMatching(/^\d{19}$/), expect.any(String)]] }] });
  const timestamp = BigInt(lokiTimestamp(body));
  expect(timestamp >= before && timestamp <= after).toBe(true);
  return { request, body };
}

function lokiTimestamp(body: unknown): string {
  const value = JSON.stringify(body).match(/"values":\[\["(\d+)"/)?.[1];
  if (!value) throw new Error('no timestamp');
  return value;
}

describe('loki notifier', () => {
  it('pushes an action report: labels slugged and lower-cased, summary line, no auth by default', async () => {
    const { request, body } = await pushed(actionReport);
    expect(body).toEqual({
      streams: [
        {
          stream: {
            pod: 'nginx-1',
            namespace: 'prod',
            status: 'success',
            rule: 'terminal_shell_in_container',
            action: 'terminate_pod',
            actionner: 'kubernetes:terminate',
            message: 'action',
            traceid: 'trace-1',
          },
          values: [[lokiTimestamp(body), "[success][action] Action 'Terminate Pod' Rule 'Terminal shell in container'"]],
        },
      ],
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers['x-scope-orgid']).toBeUndefined();
  });

  it('pushes an output report with outputtarget, the output as the line and the artifact as logfmt pairs', async () => {
    const { body } = await pushed(outputReport);
    expect(body).toEqual({
      streams: [
        {
          stream: {
            file: 'log',
            destination: '/var/talon',
            status: 'success',
            rule: 'terminal_shell_in_container',
            action: 'get_logs',
            outputtarget: 'local:file',
            message: 'output',
            traceid: 'trace-1',
          },
          values: [
            [
              lokiTimestamp(body),
              `${outputReport.output} artifact="file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log" size=2048 sha256=${'ab'.repeat(32)}`,
            ],
          ],
        },
      ],
    });
  });

  it('uses the error as the line of failed reports', async () => {
    expect((await pushed(failedActionReport)).body).toMatchObject({
      streams: [{ stream: { status: 'failure' }, values: [[expect.any(String), "pods 'nginx-1' not found"]] }],
    });
    target.requests.length = 0;
    expect((await pushed(failedOutputReport)).body).toMatchObject({
      streams: [{ stream: { status: 'failure' }, values: [[expect.any(String), "folder '/var/talon' does not exist"]] }],
    });
  });

  it('sends basic auth only with user and api_key, the tenant and custom headers', async () => {
    const { request } = await pushed(actionReport, {
      user: 'talon',
      api_key: 's3cret',
      tenant: 'secops',
      custom_headers: { 'X-Custom': 'yes', 'Content-Type': 'text/plain' },
    });
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from('talon:s3cret').toString('base64')}`);
    expect(request?.headers['x-scope-orgid']).toBe('secops');
    expect(request?.headers['x-custom']).toBe('yes');
    target.requests.length = 0;
    const userOnly = await pushed(actionReport, { user: 'talon', custom_headers: { Authorization: 'Bearer t' } });
    expect(userOnly.request?.headers.authorization).toBe('Bearer t');
  });

  it('keeps the report status when an object is named status and sanitises label names', () => {
    const payload = lokiPayload({ ...actionReport, objects: { status: '200', 'k8s.ns-name': 'x', '1st': 'y' } }, 1_700_000_000_123);
    expect(payload.streams[0]?.stream).toMatchObject({ status: 'success', k8s_ns_name: 'x', _1st: 'y' });
    expect(payload.streams[0]?.values).toEqual([['1700000000123000000', expect.any(String)]]);
  });

  it('a 503 is retryable, a 401 permanent, with Talon texts', async () => {
    target.route(PUSH, { status: 503, body: 'ingester unavailable' });
    const transient = await failureOf(loki.send(actionReport, cfg(), deps));
    expect(transient).toMatchObject({
      nonRetryable: false,
      type: 'Http503',
      message: `loki ${target.url}${PUSH}: unexpected status 503: ingester unavailable`,
    });
    target.route(PUSH, { status: 401 });
    const fatal = await failureOf(loki.send(actionReport, cfg(), deps));
    expect(fatal).toMatchObject({ nonRetryable: true, type: 'Http401', message: `loki ${target.url}${PUSH}: authentication error` });
    target.route(PUSH, 429);
    expect(await failureOf(loki.send(actionReport, cfg(), deps))).toMatchObject({
      nonRetryable: false,
      type: 'Http429',
      message: `loki ${target.url}${PUSH}: exceeding post rate limit`,
    });
  });

  it('a refused connection is retryable', async () => {
    const closed = await new HttpTarget().start();
    await closed.stop();
    const failure = await failureOf(loki.send(actionReport, loki.spec.config.parse({ url: closed.url }), deps));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'NetworkError' });
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });
});

describe('loki through the engine', () => {
  it('a 503 is retried by Temporal: one action entry, then one output entry with the artifact', async () => {
    const client = await testClient();
    const worker = await startTestWorker(testConfig({ notifiers: { loki: { url: `${target.url}/engine`, tenant: 'secops' } } }));
    try {
      const push = `/engine${PUSH}`;
      target.route(push, { status: 503, body: 'ingester unavailable' }, 204);
      target.route('/incident', { status: 200, body: INCIDENT_BODY });
      const dir = mkdtempSync(join(tmpdir(), 'talon-loki-'));
      const { report, workflowId } = await runPlaybook(client, worker, notifyingRule('loki', target.url, dir));
      const requests = target.requestsTo(push);
      expect(requests.map((r) => r.headers['x-scope-orgid'])).toEqual(['secops', 'secops', 'secops']);
      const [failed, action, output] = requests.map((r): { streams: { stream: Record<string, string>; values: string[][] }[] } => JSON.parse(r.body));
      // The retry re-sends the same entry; Loki received it once (the 503 stored nothing).
      expect(failed?.streams[0]?.stream).toEqual(action?.streams[0]?.stream);
      expect(action?.streams[0]?.stream).toMatchObject({
        status: 'success',
        message: 'action',
        rule: 'notify_loki',
        action: 'open_incident',
        actionner: 'http:request',
        traceid: workflowId,
      });
      expect(output?.streams[0]?.stream).toMatchObject({ status: 'success', message: 'output', outputtarget: 'local:file', traceid: workflowId });
      expect(output?.streams[0]?.values[0]?.[1]).toMatch(
        new RegExp(
          `^the file 'http-response' has been copied to '${dir}/[^']+' artifact="file://${dir}/[^"]+" size=${INCIDENT_BODY.length} sha256=${INCIDENT_SHA256}$`,
        ),
      );
      expect(report.notifications.map((n) => [n.notifier, n.message, n.status])).toEqual([
        ['loki', 'action', 'sent'],
        ['loki', 'output', 'sent'],
      ]);
    } finally {
      await worker.stop();
      await client.connection.close();
    }
  });
});

describe('loki config', () => {
  it('has defaults and requires an http(s) url', () => {
    expect(loki.spec.config.parse({ url: 'http://loki:3100' })).toEqual({ url: 'http://loki:3100', user: '', api_key: '', tenant: '', custom_headers: {} });
    expect(loki.spec.config.safeParse({}).success).toBe(false);
    expect(loki.spec.config.safeParse({ url: 'loki:3100' }).error?.issues[0]?.message).toBe('invalid url');
  });

  it('refuses credentials in the URL', () => {
    expect(loki.spec.config.safeParse({ url: 'http://talon:key@loki:3100' }).error?.issues[0]?.message).toBe(
      'credentials in the URL are not allowed: use user/api_key (or custom_headers)',
    );
  });
});

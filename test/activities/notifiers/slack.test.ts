import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slack } from '../../../activities/notifiers/slack.ts';
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

let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  target.route('/hook', { status: 200, body: 'ok' });
});

const cfg = (raw: Record<string, unknown> = {}) => slack.spec.config.parse({ webhook_url: `${target.url}/hook`, ...raw });

async function sent(report: Parameters<typeof slack.send>[0], raw: Record<string, unknown> = {}): Promise<unknown> {
  await slack.send(report, cfg(raw), deps);
  const [request] = target.requestsTo('/hook');
  expect(request?.method).toBe('POST');
  expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(request?.body ?? '');
}

const base = { username: 'Falco Talon', icon_url: 'https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg' };
const actionHeader = '[*SUCCESS*][*ACTION*] Rule: `Terminal shell in container` Action: `Terminate Pod`';
const escapedEvent = '`A shell was spawned &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt; (proc=bash)`';

describe('slack notifier', () => {
  it('posts a long action report: header on top, every field back-quoted, markup escaped, footer', async () => {
    expect(await sent(actionReport)).toEqual({
      ...base,
      text: actionHeader,
      attachments: [
        {
          fallback: actionHeader,
          color: '#23ba47',
          footer: 'http://github.com/falcosecurity/falco-talon',
          fields: [
            { title: 'Rule', value: '`Terminal shell in container`', short: false },
            { title: 'Action', value: '`Terminate Pod`', short: false },
            { title: 'Actionner', value: '`kubernetes:terminate`', short: true },
            { title: 'Status', value: '`success`', short: true },
            { title: 'Namespace', value: '`prod`', short: true },
            { title: 'Pod', value: '`nginx-1`', short: true },
            { title: 'Event', value: escapedEvent, short: false },
            { title: 'Message', value: '`action`', short: false },
            { title: 'Trace ID', value: '`trace-1`', short: false },
          ],
        },
      ],
    });
  });

  it('posts a long output report with OutputTarget, the artifact fields and the output in a code block', async () => {
    const header = '[*SUCCESS*][*OUTPUT*] Rule: `Terminal shell in container` Action: `Get logs` OutputTarget: `local:file`';
    expect(await sent(outputReport, { footer: '' })).toEqual({
      ...base,
      text: header,
      attachments: [
        {
          fallback: header,
          color: '#23ba47',
          fields: [
            { title: 'Rule', value: '`Terminal shell in container`', short: false },
            { title: 'Action', value: '`Get logs`', short: false },
            { title: 'Status', value: '`success`', short: true },
            { title: 'Destination', value: '`/var/talon`', short: true },
            { title: 'File', value: '`log`', short: true },
            { title: 'Message', value: '`output`', short: false },
            { title: 'OutputTarget', value: '`local:file`', short: false },
            { title: 'Artifact', value: '`file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log`', short: false },
            { title: 'Artifact Size', value: '`2048 bytes`', short: true },
            { title: 'Artifact SHA256', value: `\`${'ab'.repeat(32)}\``, short: false },
            { title: 'Trace ID', value: '`trace-1`', short: false },
            { title: 'Output', value: "```\nthe file 'log' has been copied to '/var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log'```", short: false },
          ],
        },
      ],
    });
  });

  it('colours a failure red and adds the Error field', async () => {
    const payload = await sent(failedActionReport);
    expect(payload).toMatchObject({ text: actionHeader.replace('SUCCESS', 'FAILURE'), attachments: [{ color: '#e20b0b' }] });
    expect(payload).toHaveProperty(['attachments', 0, 'fields', 8], { title: 'Error', value: "`pods 'nginx-1' not found`", short: false });
  });

  it('colours an ignored action grey', async () => {
    expect(await sent({ ...actionReport, status: 'ignored' })).toMatchObject({ attachments: [{ color: '#a4a8b1' }] });
  });

  it('short format: the header goes in the attachment, no top text, no footer, no fields', async () => {
    expect(await sent(actionReport, { format: 'short', username: 'Talon', icon: 'https://x/i.png' })).toEqual({
      username: 'Talon',
      icon_url: 'https://x/i.png',
      attachments: [{ fallback: actionHeader, color: '#23ba47', text: actionHeader, fields: [] }],
    });
  });

  it('short format keeps the artifact fields of an output report, and a failed output report has none', async () => {
    const short = await sent(outputReport, { format: 'short' });
    expect(short).toHaveProperty(
      ['attachments', 0, 'fields'],
      [
        { title: 'Artifact', value: '`file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log`', short: false },
        { title: 'Artifact Size', value: '`2048 bytes`', short: true },
        { title: 'Artifact SHA256', value: `\`${'ab'.repeat(32)}\``, short: false },
      ],
    );
    target.requests.length = 0;
    const failed = await sent(failedOutputReport, { format: 'short' });
    expect(failed).toMatchObject({
      attachments: [
        { color: '#e20b0b', text: '[*FAILURE*][*OUTPUT*] Rule: `Terminal shell in container` Action: `Get logs` OutputTarget: `local:file`', fields: [] },
      ],
    });
  });

  it('leaves out unset header parts without trailing spaces and strips ANSI codes from the output', async () => {
    const payload = await sent({ message: 'output', status: 'success', objects: {}, output: '\u001b[31mred\u001b[0m\r\nline' });
    expect(payload).toMatchObject({ text: '[*SUCCESS*][*OUTPUT*]' });
    expect(payload).toHaveProperty(
      ['attachments', 0, 'fields'],
      [
        { title: 'Status', value: '`success`', short: true },
        { title: 'Message', value: '`output`', short: false },
        { title: 'Output', value: '```\nred\nline```', short: false },
      ],
    );
  });

  it('a 503 is retryable, a 401 permanent, with Talon texts and no webhook URL in the error', async () => {
    target.route('/hook', { status: 503, body: 'down' });
    const transient = await failureOf(slack.send(actionReport, cfg(), deps));
    expect(transient).toMatchObject({ nonRetryable: false, type: 'Http503', message: 'slack: unexpected status 503: down' });
    target.route('/hook', { status: 401, body: 'invalid_token' });
    const fatal = await failureOf(slack.send(actionReport, cfg(), deps));
    expect(fatal).toMatchObject({ nonRetryable: true, type: 'Http401', message: 'slack: authentication error' });
    target.route('/hook', { status: 429, body: 'rate_limited' });
    expect(await failureOf(slack.send(actionReport, cfg(), deps))).toMatchObject({
      nonRetryable: false,
      type: 'Http429',
      message: 'slack: exceeding post rate limit',
    });
  });

  it('a network failure is retryable and does not reveal the webhook URL (it holds the token)', async () => {
    const closed = await new HttpTarget().start();
    await closed.stop();
    const url = `${closed.url}/services/T000/B000/SECRET`;
    const failure = await failureOf(slack.send(actionReport, slack.spec.config.parse({ webhook_url: url }), deps));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'NetworkError' });
    expect(failure.message).toMatch(/^POST slack webhook: fetch failed: .*ECONNREFUSED/);
    expect(failure.message).not.toContain('SECRET');
  });

  it('a webhook URL that cannot be requested fails permanently, without revealing it', async () => {
    const failure = await failureOf(
      slack.send(actionReport, slack.spec.config.parse({ webhook_url: 'https://user:SECRET@hooks.example.com/services/T0/B0/TOKEN?x=1' }), deps),
    );
    expect(failure).toMatchObject({ nonRetryable: true });
    expect(failure.message).not.toContain('SECRET');
    expect(failure.message).not.toContain('TOKEN');
  });
});

describe('slack through the engine', () => {
  it('a 503 is retried by Temporal: the action report is delivered once, then the output report with the artifact', async () => {
    const client = await testClient();
    const worker = await startTestWorker(testConfig({ notifiers: { slack: { webhook_url: `${target.url}/engine-hook` } } }));
    try {
      target.route('/engine-hook', { status: 503, body: 'down' }, { status: 200, body: 'ok' });
      target.route('/incident', { status: 200, body: INCIDENT_BODY });
      const dir = mkdtempSync(join(tmpdir(), 'talon-slack-'));
      const { report } = await runPlaybook(client, worker, notifyingRule('slack', target.url, dir));
      const [failed, action, output, ...rest] = target.requestsTo('/engine-hook').map((r) => JSON.parse(r.body));
      expect(rest).toEqual([]);
      // The first attempt got the 503; its retry is the same message, and only it was accepted.
      expect(failed).toEqual(action);
      expect(action.text).toBe('[*SUCCESS*][*ACTION*] Rule: `notify slack` Action: `open incident`');
      expect(output.text).toBe('[*SUCCESS*][*OUTPUT*] Rule: `notify slack` Action: `open incident` OutputTarget: `local:file`');
      expect(output.attachments[0].fields).toEqual(
        expect.arrayContaining([
          { title: 'Artifact', value: expect.stringMatching(new RegExp(`^\`file://${dir}/.+_http-response\`$`)), short: false },
          { title: 'Artifact Size', value: `\`${INCIDENT_BODY.length} bytes\``, short: true },
          { title: 'Artifact SHA256', value: `\`${INCIDENT_SHA256}\``, short: false },
        ]),
      );
      expect(report.notifications.map((n) => [n.notifier, n.message, n.status])).toEqual([
        ['slack', 'action', 'sent'],
        ['slack', 'output', 'sent'],
      ]);
    } finally {
      await worker.stop();
      await client.connection.close();
    }
  });
});

describe('slack config', () => {
  it('has Talon defaults', () => {
    expect(slack.spec.config.parse({ webhook_url: 'https://hooks.slack.com/services/X' })).toEqual({
      webhook_url: 'https://hooks.slack.com/services/X',
      icon: 'https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg',
      username: 'Falco Talon',
      footer: 'http://github.com/falcosecurity/falco-talon',
      format: 'long',
    });
  });

  it('requires an http(s) webhook_url and a known format', () => {
    expect(slack.spec.config.safeParse({}).success).toBe(false);
    expect(slack.spec.config.safeParse({ webhook_url: 'hooks.slack.com/x' }).error?.issues[0]?.message).toBe('invalid url');
    expect(slack.spec.config.safeParse({ webhook_url: 'https://x', format: 'medium' }).success).toBe(false);
    expect(slack.spec.config.safeParse({ webhook_url: 'https://x', colour: 'red' }).success).toBe(false);
  });
});

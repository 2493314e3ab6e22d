import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhook } from '../../../activities/notifiers/webhook.ts';
import { HttpTarget } from '../../support/http-target.ts';
import { actionReport, deps, failureOf } from './fixtures.ts';

let target: HttpTarget;
beforeAll(async () => {
  target = await new HttpTarget().start();
});
afterAll(async () => target.stop());
beforeEach(() => {
  target.requests.length = 0;
});

describe('webhook', () => {
  it("custom_headers replace the defaults whatever their case (one User-Agent, not 'mine, falco-talon')", async () => {
    target.route('/hook', 200);
    const cfg = webhook.spec.config.parse({
      url: `${target.url}/hook`,
      custom_headers: { 'User-Agent': 'mine', 'Content-Type': 'application/x-talon', Authorization: 'Bearer t' },
    });
    await webhook.send(actionReport, cfg, deps);
    const [sent] = target.requestsTo('/hook');
    expect(sent?.headers['user-agent']).toBe('mine');
    expect(sent?.headers['content-type']).toBe('application/x-talon');
    expect(sent?.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({ rule: actionReport.rule, status: 'success' });
  });

  it('sends user_agent and content_type when no custom header overrides them', async () => {
    target.route('/plain', 200);
    await webhook.send(actionReport, webhook.spec.config.parse({ url: `${target.url}/plain`, user_agent: 'talon-test' }), deps);
    const [sent] = target.requestsTo('/plain');
    expect(sent?.headers['user-agent']).toBe('talon-test');
    expect(sent?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('keeps a token in the query out of its errors', async () => {
    target.route('/secret', { status: 404, body: 'no' });
    const failure = await failureOf(webhook.send(actionReport, webhook.spec.config.parse({ url: `${target.url}/secret?token=s3cret` }), deps));
    expect(failure).toMatchObject({ type: 'Http404', nonRetryable: true, message: `webhook ${target.url}/secret?…: resource not found` });
  });

  it('refuses credentials in the URL', () => {
    expect(webhook.spec.config.safeParse({ url: 'https://user:pass@example.com/talon' }).error?.issues[0]?.message).toBe(
      'credentials in the URL are not allowed: use custom_headers',
    );
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, runPlaybook, startTestWorker, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

let client: Client;
let target: HttpTarget;
const workers: TestWorker[] = [];

beforeAll(async () => {
  target = await new HttpTarget().start();
  client = await testClient();
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await client?.connection.close();
  await target?.stop();
});

async function workerNotifying(path: string): Promise<TestWorker> {
  const worker = await startTestWorker(testConfig({ notifiers: { webhook: { url: `${target.url}${path}`, custom_headers: { 'x-team': 'sec' } } } }));
  workers.push(worker);
  return worker;
}

describe('notifications', () => {
  it('sends one action report per action and an output report after a stored output, with their content', async () => {
    const worker = await workerNotifying('/hook/ok');
    target.route('/hook/ok', 200).route('/n/a', 200).route('/n/b', { status: 200, body: 'pcap-bytes' });
    const dir = mkdtempSync(join(tmpdir(), 'talon-notify-'));
    const event = falcoEvent();
    const yaml = `- rule: notify
  match:
    rules: [Terminal shell in container]
  notifiers: [webhook]
  actions:
    - action: first
      actionner: http:request
      parameters: { url: "${target.url}/n/a" }
    - action: second
      actionner: http:request
      parameters: { url: "${target.url}/n/b" }
      output:
        target: local:file
        parameters: { destination: "${dir}" }
`;
    const { report, workflowId } = await runPlaybook(client, worker, yaml, event);
    const received = target.requestsTo('/hook/ok');
    const bodies = received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.message, b.action])).toEqual([
      ['action', 'first'],
      ['action', 'second'],
      ['output', 'second'],
    ]);
    expect(bodies[0]).toMatchObject({
      message: 'action',
      status: 'success',
      rule: 'notify',
      action: 'first',
      actionner: 'http:request',
      event: event.output,
      objects: { Url: `${target.url}/n/a`, Method: 'POST', Status: '200' },
      result: `the request 'POST ${target.url}/n/a' returned 200`,
    });
    expect(bodies[2]).toMatchObject({ message: 'output', status: 'success', rule: 'notify', output_target: 'local:file', category: 'local' });
    // trace_id finds the run in the Temporal UI: it is the workflow ID.
    expect(bodies.map((b) => b.trace_id)).toEqual([workflowId, workflowId, workflowId]);
    expect(bodies[2].artifact).toMatchObject({ size: 10 });
    expect(bodies[2].artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(received[0]?.headers['x-team']).toBe('sec');
    expect(received[0]?.headers['user-agent']).toBe('falco-talon');
    expect(report.notifications.map((n) => n.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('delivers a notification once after a transient notifier failure', async () => {
    const worker = await workerNotifying('/hook/flaky');
    target.route('/hook/flaky', 503, 200).route('/n/c', 200);
    const yaml = `- rule: flaky-notifier
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - action: only
      actionner: http:request
      parameters: { url: "${target.url}/n/c" }
`;
    const { report } = await runPlaybook(client, worker, yaml);
    expect(target.requestsTo('/hook/flaky')).toHaveLength(2);
    expect(report.notifications).toEqual([expect.objectContaining({ notifier: 'webhook', status: 'sent' })]);
  });

  it('records a failing notifier without failing the playbook, and notifies failed actions', async () => {
    const worker = await workerNotifying('/hook/denied');
    target.route('/hook/denied', 401).route('/n/d', 404);
    const yaml = `- rule: failing-notifier
  match: { rules: [Terminal shell in container] }
  actions:
    - action: fails
      actionner: http:request
      parameters: { url: "${target.url}/n/d" }
`;
    const { report } = await runPlaybook(client, worker, yaml, falcoEvent(), { defaultNotifiers: ['webhook'] });
    expect(report.outcome).toBe('failed');
    const [note] = report.notifications;
    expect(note).toMatchObject({ notifier: 'webhook', message: 'action', status: 'failed' });
    expect(note?.error).toContain('authentication error');
    const body = JSON.parse(target.requestsTo('/hook/denied')[0]?.body ?? '{}');
    // A failed action has no objects of its own: the event's pod stands in (k8sevents records it there).
    expect(body).toMatchObject({ message: 'action', status: 'failure', action: 'fails', objects: { Pod: 'web-1', Namespace: 'prod' } });
    expect(body.error).toContain('resource not found');
  });
});

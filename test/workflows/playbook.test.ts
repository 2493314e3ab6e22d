import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { playbook } from '../../workflows/playbook.ts';
import { HttpTarget } from '../support/http-target.ts';
import { planRules } from '../../src/plan/build.ts';
import { falcoEvent, rulesFromYaml, runPlaybook, startTestWorker, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

// Every test here runs the real playbook workflow on a real Temporal dev server, with http:request
// actions against a real loopback HTTP server that fails on purpose.

let client: Client;
let worker: TestWorker;
let target: HttpTarget;

beforeAll(async () => {
  target = await new HttpTarget().start();
  client = await testClient();
  worker = await startTestWorker(testConfig({ notifiers: { webhook: { url: `${target.url}/notify` } } }));
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

/** A rule whose actions call `paths` on the target, in order. */
function rule(name: string, paths: string[], extra = '', actionExtra: Record<string, string> = {}): string {
  const actions = paths
    .map((p) => `    - action: call ${p}\n      actionner: http:request\n      parameters:\n        url: ${target.url}${p}\n${actionExtra[p] ?? ''}`)
    .join('');
  return `- rule: ${name}\n  match:\n    rules:\n      - Terminal shell in container\n${extra}  actions:\n${actions}`;
}

/** A loopback server whose handler keeps responses open, to see when the worker closes them. */
async function openServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

const retryFast = '      retry:\n        max_attempts: 4\n        initial_interval: 50ms\n        max_interval: 100ms\n';

describe('playbook workflow on a real Temporal server', () => {
  it('runs matched rules in order and stops after a rule with continue: false', async () => {
    const paths = ['/order/a', '/order/b', '/order/c'];
    for (const p of paths) target.route(p, 200);
    const yaml = [rule('first', ['/order/a']), rule('second', ['/order/b'], '  continue: false\n'), rule('third', ['/order/c'])].join('\n');
    const { report } = await runPlaybook(client, worker, yaml);
    expect(report.rules.map((r) => r.rule)).toEqual(['first', 'second']);
    expect(target.requestsTo('/order/a')).toHaveLength(1);
    expect(target.requestsTo('/order/b')).toHaveLength(1);
    expect(target.requestsTo('/order/c')).toHaveLength(0);
    expect(report.outcome).toBe('succeeded');
  });

  it("continues to the next action by http:request's default, and stops at an action with continue: false", async () => {
    for (const p of ['/cont/a', '/cont/b', '/cont/c', '/cont/d']) target.route(p, 200);
    const { report: goesOn } = await runPlaybook(client, worker, rule('defaults', ['/cont/a', '/cont/b']));
    expect(goesOn.rules[0]?.actions.map((a) => a.status)).toEqual(['success', 'success']);
    const stop = { '/cont/c': '      continue: false\n' };
    const { report: stops } = await runPlaybook(client, worker, rule('stops', ['/cont/c', '/cont/d'], '', stop));
    expect(stops.rules[0]?.actions.map((a) => a.action)).toEqual(['call /cont/c']);
    expect(target.requestsTo('/cont/d')).toHaveLength(0);
  });

  it('stops the rule on a failed action unless ignore_errors is true', async () => {
    target.route('/err/fail', 404).route('/err/next', 200).route('/err/fail2', 404).route('/err/next2', 200);
    const { report: stopped } = await runPlaybook(client, worker, rule('strict', ['/err/fail', '/err/next']));
    expect(stopped.rules[0]?.actions.map((a) => a.status)).toEqual(['failure']);
    expect(stopped.outcome).toBe('failed');
    expect(target.requestsTo('/err/next')).toHaveLength(0);

    const ignore = { '/err/fail2': '      ignore_errors: true\n' };
    const { report: ignored } = await runPlaybook(client, worker, rule('lenient', ['/err/fail2', '/err/next2'], '', ignore));
    expect(ignored.rules[0]?.actions.map((a) => [a.status, a.errorIgnored ?? false])).toEqual([
      ['failure', true],
      ['success', false],
    ]);
    expect(ignored.outcome).toBe('succeeded');
    expect(target.requestsTo('/err/next2')).toHaveLength(1);
  });

  it('runs no activity in dry_run and reports what would have run', async () => {
    target.route('/dry', 200);
    const { report } = await runPlaybook(client, worker, rule('dry', ['/dry', '/dry'], '  dry_run: true\n'));
    expect(report.outcome).toBe('dry_run');
    expect(report.rules[0]?.actions.map((a) => [a.status, a.result])).toEqual([
      ['dry_run', 'no action, dry-run is enabled'],
      ['dry_run', 'no action, dry-run is enabled'],
    ]);
    expect(target.requestsTo('/dry')).toHaveLength(0);
  });

  it('retries a transient failure (503) and reports the attempt count', async () => {
    target.route('/flaky', 503, 503, 200);
    const { report } = await runPlaybook(client, worker, rule('flaky', ['/flaky'], '', { '/flaky': retryFast }));
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'success', attempts: 3 });
    expect(target.requestsTo('/flaky')).toHaveLength(3);
  });

  it('runs a local: true action inside the workflow task: retried, reported the same, no activity task in history', async () => {
    target.route('/local-flaky', 503, 503, 200);
    target.route('/local-down', 500);
    const local = `${retryFast}      local: true\n`;
    const { report, workflowId } = await runPlaybook(
      client,
      worker,
      rule('local', ['/local-flaky', '/local-down'], '', { '/local-flaky': local, '/local-down': local }),
    );
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'success', attempts: 3 });
    expect(report.rules[0]?.actions[1]).toMatchObject({ status: 'failure', attempts: 4, errorType: 'Http500' });
    expect(target.requestsTo('/local-flaky')).toHaveLength(3);
    expect(target.requestsTo('/local-down')).toHaveLength(4);
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(2);
  });

  it('does not retry a permanent failure (4xx) and reports its error', async () => {
    target.route('/forbidden', 403);
    const { report } = await runPlaybook(client, worker, rule('forbidden', ['/forbidden'], '', { '/forbidden': retryFast }));
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'failure', attempts: 1, errorType: 'Http403' });
    expect(report.rules[0]?.actions[0]?.error).toContain('access denied');
    expect(target.requestsTo('/forbidden')).toHaveLength(1);
  });

  it('fails bad parameters at once without retrying (a plan that bypassed validation)', async () => {
    const { planRules } = await import('../../src/plan/build.ts');
    const { rulesFromYaml, falcoEvent } = await import('../support/temporal.ts');
    const event = falcoEvent();
    const ruleSet = await rulesFromYaml(rule('bad', ['/never']));
    const [planned] = planRules(ruleSet.match(event), []);
    const action = { ...planned!.actions[0]!, parameters: { url: 42 } };
    const report = await client.workflow.execute<typeof playbook>('playbook', {
      taskQueue: worker.taskQueue,
      workflowId: `bad-params-${Date.now()}`,
      args: [{ event, rules: [{ ...planned!, actions: [action] }], dedupWindowSeconds: 0 }],
    });
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'failure', attempts: 1, errorType: 'InvalidParameters' });
    expect(report.rules[0]?.actions[0]?.error).toContain('url');
    expect(target.requestsTo('/never')).toHaveLength(0);
  });

  it('gives up after max_attempts of transient failures', async () => {
    target.route('/down', 500);
    const { report } = await runPlaybook(client, worker, rule('down', ['/down'], '', { '/down': retryFast }));
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'failure', attempts: 4, errorType: 'Http500' });
    expect(target.requestsTo('/down')).toHaveLength(4);
  });

  it('stores an allowed output with local:file under <time>_<hostname>_<name>: the file holds the artifact, the report its size and sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'talon-out-'));
    const body = JSON.stringify({ ticket: 'INC-42' });
    target.route('/artifact', { status: 200, body });
    const output = `      output:\n        target: local:file\n        parameters:\n          destination: ${dir}\n`;
    const { report } = await runPlaybook(client, worker, rule('artifact', ['/artifact'], '', { '/artifact': output }));
    const stored = report.rules[0]?.actions[0]?.output;
    expect(stored).toMatchObject({ target: 'local:file', status: 'success' });
    const path = stored?.artifact?.location.replace('file://', '') ?? '';
    expect(readFileSync(path, 'utf8')).toBe(body);
    expect(stored?.artifact?.size).toBe(Buffer.byteLength(body));
    expect(stored?.artifact?.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(path).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_node-1_http-response$/);
  });

  it('fails the action when its output cannot be stored (missing folder), and says why', async () => {
    target.route('/artifact2', 200);
    const output = '      output:\n        target: local:file\n        parameters:\n          destination: /nonexistent/talon\n';
    const { report } = await runPlaybook(client, worker, rule('artifact2', ['/artifact2'], '', { '/artifact2': output }));
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'failure', errorType: 'OutputFailed' });
    expect(report.rules[0]?.actions[0]?.output).toMatchObject({ status: 'failure', error: "folder '/nonexistent/talon' does not exist" });
    expect(report.outcome).toBe('failed');
  });

  it('puts the response body into the notification when no output is configured', async () => {
    target.route('/inline', { status: 200, body: '{"inline":true}' });
    const before = target.requestsTo('/notify').length;
    target.route('/notify', 200);
    await runPlaybook(client, worker, rule('inline', ['/inline'], '  notifiers:\n    - webhook\n'));
    const notes = target
      .requestsTo('/notify')
      .slice(before)
      .map((r) => JSON.parse(r.body));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ message: 'action', status: 'success', output: '{"inline":true}' });
  });

  it('closes a streamed response body that a failed output stage did not read', async () => {
    let closed = false;
    const server = await openServer((_req, res) => {
      // Headers and a first chunk, then the body stays open: only the client can end it early.
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).write(Buffer.alloc(1024, 1));
      res.on('close', () => (closed = true));
    });
    try {
      const yaml = `- rule: unread body
  match: { rules: [Terminal shell in container] }
  actions:
    - action: download
      actionner: http:request
      parameters: { url: "${server.url}/stream", method: GET, timeout_seconds: 120 }
      output: { target: local:file, parameters: { destination: /nonexistent/talon } }
`;
      const { report } = await runPlaybook(client, worker, yaml);
      expect(report.rules[0]?.actions[0]?.output).toMatchObject({ status: 'failure', error: "folder '/nonexistent/talon' does not exist" });
      // Left open, the body would last until its 28 s request timeout.
      expect(await waitFor(() => closed, 3000)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('cancelling a playbook aborts its running HTTP call at once (delivered with the heartbeats)', async () => {
    let closedAt: number | undefined;
    let arrived = false;
    const server = await openServer((req) => {
      arrived = true;
      req.socket.on('close', () => (closedAt = Date.now()));
      // Never answered: only a cancellation ends it before its 100 s timeout.
    });
    try {
      const ruleSet = await rulesFromYaml(`- rule: cancelled
  match: { rules: [Terminal shell in container] }
  actions:
    - action: hangs
      actionner: http:request
      parameters: { url: "${server.url}/hang", timeout_seconds: 100 }
      timeout: 2m
`);
      const event = falcoEvent();
      const handle = await client.workflow.start<typeof playbook>('playbook', {
        taskQueue: worker.taskQueue,
        workflowId: `cancel-${randomUUID()}`,
        args: [{ event, rules: planRules(ruleSet.match(event), []), dedupWindowSeconds: 0 }],
      });
      expect(await waitFor(() => arrived, 10_000)).toBe(true);
      const cancelledAt = Date.now();
      await handle.cancel();
      expect(await waitFor(() => closedAt !== undefined, 10_000)).toBe(true);
      expect(closedAt! - cancelledAt).toBeLessThan(5_000);
    } finally {
      await server.stop();
    }
  });

  it("ends a request before the action's timeout, so a retry never overlaps the attempt still running", async () => {
    const seen: { arrived: number; closed?: number }[] = [];
    const server = await openServer((req, res) => {
      const entry: { arrived: number; closed?: number } = { arrived: Date.now() };
      seen.push(entry);
      req.socket.on('close', () => (entry.closed = Date.now()));
      if (seen.length > 1) res.writeHead(200).end('{}');
      // The first request never gets an answer.
    });
    try {
      const yaml = `- rule: slow endpoint
  match: { rules: [Terminal shell in container] }
  actions:
    - action: slow
      actionner: http:request
      parameters: { url: "${server.url}/slow", timeout_seconds: 120 }
      timeout: 3s
      retry: { max_attempts: 3, initial_interval: 100ms }
`;
      const { report } = await runPlaybook(client, worker, yaml);
      expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'success', attempts: 2 });
      expect(seen).toHaveLength(2);
      // The first attempt's request was closed (at ~1 s: 3 s minus the 2 s margin) before the retry's arrived.
      expect(seen[0]?.closed).toBeDefined();
      expect(seen[0]!.closed!).toBeLessThanOrEqual(seen[1]!.arrived);
      expect(seen[0]!.closed! - seen[0]!.arrived).toBeLessThan(2500);
    } finally {
      await server.stop();
    }
  });
});

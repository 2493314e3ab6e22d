import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingApproval, PlaybookReport } from '../../src/contract/index.ts';
import { PENDING_APPROVAL_QUERY } from '../../src/contract/index.ts';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { planSettingsFrom } from '../../src/plan/settings.ts';
import { decide } from '../../src/temporal/controls.ts';
import { runTalon } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, rulesFromYaml, startTestWorker, temporalAddress, testClient, testConfig, testIngest, type TestWorker } from '../support/temporal.ts';

// Approval gates and the blast-radius governor on the real Temporal dev server, driven the three
// ways a person can: the workflow Update, `talon approve|deny|pause|resume`, and the ingest's
// authenticated HTTP endpoint. http:request stands in for a destructive action (governor.destructive).

let client: Client;
let target: HttpTarget;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  client = await testClient();
  target = await new HttpTarget().start();
  target.route('/notify', 200);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await target.stop();
  await client.connection.close();
});

const TOKEN = 'approvals-token-0123456789';

async function setup(rules: string, overrides: Record<string, unknown> = {}, namespace = 'prod') {
  const config = testConfig({
    notifiers: { webhook: { url: `${target.url}/notify` } },
    auth: { tokens: [TOKEN] },
    public_url: 'https://talon.example',
    ui_base_url: 'https://temporal-ui.example',
    ...overrides,
  });
  const worker: TestWorker = await startTestWorker(config);
  cleanups.push(() => worker.stop());
  const ruleSet = await rulesFromYaml(rules);
  const settings = planSettingsFrom(config);
  const app = testIngest(client, worker.taskQueue, ruleSet, {
    auth: { tokens: [TOKEN], hmacSecrets: [], mutualTls: false },
    governor: settings.governor,
    links: settings.links,
    approvals: (id, decision) => decide(client, id, decision),
  });
  const post = async (path: string) => {
    const id = randomUUID();
    const event = falcoEvent({ output: `${path} ${id}`, output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': `web-${id}` } });
    const response = await app.request('/', { method: 'POST', body: JSON.stringify(event), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { workflowId: string }).workflowId;
  };
  return { worker, app, post, cliEnv: { TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_TASK_QUEUE: worker.taskQueue } };
}

async function pending(workflowId: string): Promise<PendingApproval> {
  for (let i = 0; i < 100; i++) {
    const answer = await client.workflow.getHandle(workflowId).query<PendingApproval | null>(PENDING_APPROVAL_QUERY);
    if (answer) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no approval pending in ${workflowId}`);
}

const result = (workflowId: string) => client.workflow.getHandle(workflowId).result() as Promise<PlaybookReport>;
const notificationsOf = (workflowId: string) =>
  target
    .requestsTo('/notify')
    .map((r) => JSON.parse(r.body) as { message: string; status: string; trace_id: string; result?: string; links?: { run?: string; approve?: string } })
    .filter((n) => n.trace_id === workflowId);

describe('approval gates', () => {
  it('waits for a decision: the Update validator refuses a stranger, HTTP needs the token, the approver’s decision runs the action', async () => {
    target.route('/act', 200);
    const { app, post } = await setup(`- rule: gated
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "${target.url}/act" }
      approval: { timeout: 5m, approvers: [alice, carol] }
`);
    const calls = target.requestsTo('/act').length;
    const workflowId = await post('approve-by-http');
    expect(await pending(workflowId)).toMatchObject({ gate: "action 'call' of rule 'gated'", approvers: ['alice', 'carol'], default: 'deny' });

    // The validator refuses before anything is written: a stranger, and a malformed decision.
    await expect(decide(client, workflowId, { decision: 'approve', approver: 'mallory', reason: 'me' })).rejects.toThrow(/'mallory' may not decide/);
    const body = JSON.stringify({ decision: 'approve', approver: 'alice', reason: 'checked the pod' });
    expect((await app.request(`/approvals/${workflowId}`, { method: 'POST', body })).status).toBe(401);
    expect(
      (await app.request(`/approvals/${workflowId}`, { method: 'POST', body: '{"decision":"maybe"}', headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(400);
    expect((await app.request(`/approvals/nope-${randomUUID()}`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    const answer = await app.request(`/approvals/${workflowId}`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'decided', decision: 'approve', approver: 'alice', by: 'approver' });
    // An ingest without authentication does not take decisions at all.
    const open = createApp({
      rules: () => ({}) as never,
      starter: temporalStarter(client, 'unused'),
      metrics: new Metrics(),
      log: silentLogger,
      approvals: (id, d) => decide(client, id, d),
    });
    expect((await open.request(`/approvals/${workflowId}`, { method: 'POST', body })).status).toBe(403);
    // Decided once: a second decision is refused.
    expect((await app.request(`/approvals/${workflowId}`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(409);

    const report = await result(workflowId);
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'success', approval: { decision: 'approve', approver: 'alice', reason: 'checked the pod' } });
    expect(report.approvals).toHaveLength(1);
    expect(target.requestsTo('/act').length).toBe(calls + 1);
    const notes = notificationsOf(workflowId);
    expect(notes.map((n) => [n.message, n.status])).toEqual([
      ['approval', 'pending'],
      ['approval', 'success'],
      ['action', 'success'],
    ]);
    expect(notes[0]?.links).toEqual({
      run: `https://temporal-ui.example/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
      approve: `https://talon.example/approvals/${encodeURIComponent(workflowId)}`,
    });
    // The decision is in the history: the accepted Update, with who and why.
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const accepted = events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    expect(JSON.stringify(accepted[0]?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toContain('decide');
  });

  it('talon deny records who and why, and the action does not run', async () => {
    target.route('/deny', 200);
    const { post, cliEnv } = await setup(`- rule: denied
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "${target.url}/deny" }
      approval: { approvers: [carol] }
`);
    const workflowId = await post('deny-by-cli');
    await pending(workflowId);
    const cli = await runTalon(['deny', workflowId, '--as', 'carol', '--reason', 'false positive'], { env: cliEnv });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('denied by carol');
    const report = await result(workflowId);
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'denied', approval: { decision: 'deny', approver: 'carol', reason: 'false positive' } });
    expect(report.outcome).toBe('succeeded');
    expect(target.requestsTo('/deny')).toHaveLength(0);
    expect(notificationsOf(workflowId).map((n) => n.result)).toContain("action 'call' of rule 'denied': denied by carol: false positive");
  });

  it('applies the default when nobody decides in time', async () => {
    target.route('/late', 200).route('/auto', 200);
    const { post } = await setup(
      `- rule: rule gate
  match: { rules: [Terminal shell in container] }
  approval: { timeout: 2s, default: approve }
  actions:
    - action: auto
      actionner: http:request
      parameters: { url: "${target.url}/auto" }
    - action: late
      actionner: http:request
      parameters: { url: "${target.url}/late" }
      approval: { timeout: 1s }
`,
      {},
      'staging',
    );
    const workflowId = await post('timeout');
    const report = await result(workflowId);
    expect(report.rules[0]?.approval).toMatchObject({ decision: 'approve', by: 'timeout', approver: 'timeout' });
    expect(report.rules[0]?.actions.map((a) => [a.action, a.status])).toEqual([
      ['auto', 'success'],
      ['late', 'denied'],
    ]);
    expect(target.requestsTo('/auto')).toHaveLength(1);
    expect(target.requestsTo('/late')).toHaveLength(0);
  });
});

describe('blast-radius governor', () => {
  it('lets exactly the budget through, reports the rest over budget, and holds everything while paused', async () => {
    const namespace = `gov-${randomUUID().slice(0, 8)}`;
    target.route('/destroy', 200);
    const { post, cliEnv } = await setup(
      `- rule: destroy
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - action: destroy
      actionner: http:request
      parameters: { url: "${target.url}/destroy" }
`,
      { governor: { destructive: ['http:request'], limits: [{ scope: 'namespace', max: 3, window: '1h' }] } },
      namespace,
    );
    const before = target.requestsTo('/destroy').length;
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => post(`budget-${i}`)));
    const reports = await Promise.all(ids.map(result));
    const statuses = reports.map((r) => r.rules[0]?.actions[0]?.status);
    expect(statuses.filter((s) => s === 'success')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'over_budget')).toHaveLength(7);
    expect(target.requestsTo('/destroy').length - before).toBe(3);
    const held = reports.find((r) => r.rules[0]?.actions[0]?.status === 'over_budget')!.rules[0]!.actions[0]!;
    expect(held.result).toBe(`not run (dry run): over budget: namespace '${namespace}' has had 3 of 3 destructive actions in 1h`);
    const heldId = ids[reports.indexOf(reports.find((r) => r.rules[0]?.actions[0]?.status === 'over_budget')!)]!;
    expect(notificationsOf(heldId).map((n) => [n.message, n.status])).toEqual([['governor', 'ignored']]);

    // The pause switch holds even where the budget has room (another namespace).
    const paused = await runTalon(['pause', '--as', 'oncall', '--reason', 'incident review'], { env: cliEnv });
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('paused by oncall');
    const other = await setupSameQueue(cliEnv.TEMPORAL_TASK_QUEUE);
    const whilePaused = await result(await other(`paused`));
    expect(whilePaused.rules[0]?.actions[0]).toMatchObject({
      status: 'over_budget',
      result: 'not run (dry run): destructive actions are paused (by oncall: incident review)',
    });
    const resumed = await runTalon(['resume', '--as', 'oncall'], { env: cliEnv });
    expect(resumed.stdout).toContain('resumed');
    const afterResume = await result(await other('resumed'));
    expect(afterResume.rules[0]?.actions[0]?.status).toBe('success');
  });
});

describe('blast-radius governor with over_budget: approval', () => {
  it('asks instead of dropping: an over-budget action runs once approved', async () => {
    const namespace = `ask-${randomUUID().slice(0, 8)}`;
    target.route('/ask', 200);
    const { post } = await setup(
      `- rule: destroy
  match: { rules: [Terminal shell in container] }
  actions:
    - action: destroy
      actionner: http:request
      parameters: { url: "${target.url}/ask" }
`,
      {
        governor: {
          destructive: ['http:request'],
          limits: [{ scope: 'cluster', max: 0, window: '1h' }],
          over_budget: 'approval',
          approval: { timeout: '5m', approvers: ['lead'] },
        },
      },
      namespace,
    );
    const workflowId = await post('over-budget');
    expect((await pending(workflowId)).gate).toMatch(
      /^action 'destroy' of rule 'destroy' \(over budget: the cluster has had 0 of 0 destructive actions in 1h\)$/,
    );
    await decide(client, workflowId, { decision: 'approve', approver: 'lead', reason: 'needed' });
    const report = await result(workflowId);
    expect(report.rules[0]?.actions[0]).toMatchObject({ status: 'success', approval: { approver: 'lead', decision: 'approve' } });
    expect(target.requestsTo('/ask')).toHaveLength(1);
  });
});

/** Posts alerts for a fresh namespace (its own budget) to the playbooks of an existing worker's queue. */
async function setupSameQueue(taskQueue: string) {
  const namespace = `other-${randomUUID().slice(0, 8)}`;
  const config = testConfig({ governor: { destructive: ['http:request'], limits: [{ scope: 'namespace', max: 3, window: '1h' }] } });
  const ruleSet = await rulesFromYaml(`- rule: destroy
  match: { rules: [Terminal shell in container] }
  actions:
    - action: destroy
      actionner: http:request
      parameters: { url: "${target.url}/destroy" }
`);
  const app = testIngest(client, taskQueue, ruleSet, { governor: planSettingsFrom(config).governor });
  return async (label: string) => {
    const event = falcoEvent({ output: `${label} ${randomUUID()}`, output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': 'web' } });
    const response = await app.request('/', { method: 'POST', body: JSON.stringify(event) });
    return ((await response.json()) as { workflowId: string }).workflowId;
  };
}

import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRules } from '../../src/plan/build.ts';
import { WORKFLOWS_PATH } from '../../src/worker/bundle.ts';
import type { playbook } from '../../workflows/playbook.ts';
import { runTalon, spawnTalon, type TalonProcess } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, rulesFromYaml, temporalAddress, testClient } from '../support/temporal.ts';

let client: Client;
let target: HttpTarget;
const processes: TalonProcess[] = [];

beforeAll(async () => {
  target = await new HttpTarget().start();
  client = await testClient();
});

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await client?.connection.close();
  await target?.stop();
});

function workerProcess(taskQueue: string): TalonProcess {
  const p = spawnTalon(['worker'], { TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_TASK_QUEUE: taskQueue });
  processes.push(p);
  return p;
}

describe('durability', () => {
  it('completes a playbook after its worker process is killed during the second action, without re-running the first', async () => {
    target.route('/first', 200).route('/second', 'hang', 200).route('/third', 200);
    const yaml = `- rule: durable
  match: { rules: [Terminal shell in container] }
  actions:
    - action: first
      actionner: http:request
      parameters: { url: "${target.url}/first" }
    - action: second
      actionner: http:request
      parameters: { url: "${target.url}/second", timeout_seconds: 120 }
      timeout: 4s
      retry: { initial_interval: 100ms }
    - action: third
      actionner: http:request
      parameters: { url: "${target.url}/third" }
`;
    const event = falcoEvent();
    const ruleSet = await rulesFromYaml(yaml);
    const taskQueue = `durable-${randomUUID()}`;
    const first = workerProcess(taskQueue);
    await first.waitFor(/Temporal: /);
    const handle = await client.workflow.start<typeof playbook>('playbook', {
      taskQueue,
      workflowId: `durable-${randomUUID()}`,
      args: [{ event, rules: planRules(ruleSet.match(event), []), dedupWindowSeconds: 0 }],
    });
    // Wait until the second action's HTTP call is in flight, then kill the worker outright.
    for (let i = 0; i < 300 && target.requestsTo('/second').length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(target.requestsTo('/second')).toHaveLength(1);
    await first.kill('SIGKILL');

    const second = workerProcess(taskQueue);
    await second.waitFor(/Temporal: /);
    const report = await handle.result();
    expect(report.outcome).toBe('succeeded');
    expect(report.rules[0]?.actions.map((a) => [a.action, a.status])).toEqual([
      ['first', 'success'],
      ['second', 'success'],
      ['third', 'success'],
    ]);
    expect(report.rules[0]?.actions[1]?.attempts).toBe(2);
    expect(target.requestsTo('/first')).toHaveLength(1);
    expect(target.requestsTo('/second')).toHaveLength(2);
    expect(target.requestsTo('/third')).toHaveLength(1);

    // Its history replays cleanly against the current workflow code, in-process and via the CLI.
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history);
    const cli = await runTalon(['replay', handle.workflowId], { env: { TEMPORAL_ADDRESS: temporalAddress() } });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('deterministic');
  }, 240_000);

  it('notices a worker killed in the middle of a long action by its heartbeats: a new worker finishes the playbook within 15 s', async () => {
    target.route('/slow', 'hang', 200).route('/after', 200);
    // The action's own timeout (30 s by default, here 120 s) is not what ends the wait.
    const yaml = `- rule: heartbeats
  match: { rules: [Terminal shell in container] }
  actions:
    - action: slow
      actionner: http:request
      parameters: { url: "${target.url}/slow", timeout_seconds: 110 }
      timeout: 120s
    - action: after
      actionner: http:request
      parameters: { url: "${target.url}/after" }
`;
    const event = falcoEvent();
    const ruleSet = await rulesFromYaml(yaml);
    const taskQueue = `heartbeat-${randomUUID()}`;
    const first = workerProcess(taskQueue);
    await first.waitFor(/Temporal: /);
    const second = workerProcess(taskQueue);
    await second.waitFor(/Temporal: /);
    const handle = await client.workflow.start<typeof playbook>('playbook', {
      taskQueue,
      workflowId: `heartbeat-${randomUUID()}`,
      args: [{ event, rules: planRules(ruleSet.match(event), []), dedupWindowSeconds: 0 }],
    });
    for (let i = 0; i < 300 && target.requestsTo('/slow').length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    // Whichever worker took the action: kill it.
    const owner = (await handle.describe()).raw.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
    const victim = [first, second].find((p) => owner.startsWith(`${p.child.pid ?? ''}@`)) ?? first;
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    const report = await handle.result();
    const elapsed = Date.now() - killedAt;
    expect(report.rules[0]?.actions.map((a) => [a.action, a.status, a.attempts])).toEqual([
      ['slow', 'success', 2],
      ['after', 'success', 1],
    ]);
    expect(elapsed).toBeLessThan(15_000);
  }, 120_000);
});

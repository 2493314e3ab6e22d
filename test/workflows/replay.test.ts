import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/worker/bundle.ts';
import { progressQuery } from '../../workflows/playbook.ts';
import { runTalon } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { falcoEvent, listedRuns, runPlaybook, startTestWorker, temporalAddress, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

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

const yaml = (url: string, extra = '') => `- rule: replayed
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
${extra}  actions:
    - action: one
      actionner: http:request
      parameters: { url: "${url}/ok" }
    - action: two
      actionner: http:request
      parameters: { url: "${url}/fail" }
      ignore_errors: true
      retry: { max_attempts: 2, initial_interval: 50ms }
`;

describe('replay', () => {
  it('replays the histories of completed playbooks (success, failure, dry run, notifications) cleanly', async () => {
    target.route('/ok', 200).route('/fail', 503).route('/notify', 503, 200);
    const ids: string[] = [];
    for (const extra of ['', '  dry_run: true\n']) ids.push((await runPlaybook(client, worker, yaml(target.url, extra))).workflowId);
    const histories = ids.map(async (workflowId) => ({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() }));
    const results: unknown[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowsPath: WORKFLOWS_PATH },
      (async function* () {
        for (const h of histories) yield await h;
      })(),
    )) {
      results.push(result.error);
    }
    expect(results).toEqual([undefined, undefined]);
  });

  it('detects non-determinism: a history whose activity type the code no longer schedules', async () => {
    target.route('/ok', 200).route('/fail', 200);
    const { workflowId } = await runPlaybook(client, worker, yaml(target.url));
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'http:request') scheduled.activityType.name = 'kubernetes:terminate';
    }
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('`talon replay` exits 1 for a workflow it cannot replay', async () => {
    const cli = await runTalon(['replay', `missing-${randomUUID()}`], { env: { TEMPORAL_ADDRESS: temporalAddress() } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/replay of missing-.* failed/);
  });
});

describe('progress query and search attributes', () => {
  it('answers the progress query while running and records search attributes and outcome', async () => {
    target.route('/slow', { status: 200, delayMs: 1500 });
    const event = falcoEvent();
    const { startSearchAttributes } = await import('../../src/ingest/search-attributes.ts');
    const { planRules } = await import('../../src/plan/build.ts');
    const { rulesFromYaml } = await import('../support/temporal.ts');
    const ruleSet = await rulesFromYaml(
      `- rule: slow\n  match: { rules: [Terminal shell in container] }\n  actions:\n    - action: wait\n      actionner: http:request\n      parameters: { url: "${target.url}/slow" }\n`,
    );
    const rules = planRules(ruleSet.match(event), []);
    const handle = await client.workflow.start('playbook', {
      taskQueue: worker.taskQueue,
      workflowId: `progress-${randomUUID()}`,
      args: [{ event, rules, dedupWindowSeconds: 0 }],
      typedSearchAttributes: startSearchAttributes(event, rules),
    });
    let progress = await handle.query(progressQuery);
    for (let i = 0; i < 50 && !progress.current; i++) progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ phase: 'running', current: { rule: 'slow', action: 'wait' } });
    await handle.result();
    expect(await handle.query(progressQuery)).toMatchObject({ phase: 'done' });
    const description = await handle.describe();
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    expect(attributes).toMatchObject({
      FalcoRule: 'Terminal shell in container',
      FalcoPriority: 'Warning',
      FalcoSource: 'syscall',
      FalcoHostname: 'node-1',
      K8sNamespace: 'prod',
      K8sPod: 'web-1',
      TalonRules: ['slow'],
      TalonActionners: ['http:request'],
      TalonDryRun: false,
      TalonOutcome: 'succeeded',
    });
    const found = await listedRuns(client, `K8sNamespace = 'prod' AND TalonOutcome = 'succeeded' AND WorkflowId = '${handle.workflowId}'`);
    expect(found.map((w) => w.workflowId)).toEqual([handle.workflowId]);
  });
});

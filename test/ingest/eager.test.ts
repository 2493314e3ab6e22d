import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter, type WorkflowStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import type { RuleSet } from '../../src/rules/index.ts';
import { HttpTarget } from '../support/http-target.ts';
import { rulesFromYaml, startTestWorker, testClient, type TestWorker } from '../support/temporal.ts';

// `talon start`: the ingest's client on the worker's own connection asks for eager starts, but only
// while its start is the only one in flight (src/ingest/starter.ts says why). The server records
// whether it handed the first workflow task back in the start's answer. And the worker yields
// workflow-task slots to the ingest while it has a burst in hand (src/worker/ingest-first-slots.ts).

let client: Client;
let worker: TestWorker;
let target: HttpTarget;
let ruleSet: RuleSet;

beforeAll(async () => {
  target = await new HttpTarget().start();
  target.route('/act', 200);
  client = await testClient();
  worker = await startTestWorker();
  ruleSet = await rulesFromYaml(`- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${target.url}/act" } }
`);
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

const appWith = (starter: WorkflowStarter) => createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger, dedupWindowSeconds: 0 });

/** POSTs a distinct alert; returns the started workflow's ID. */
async function post(app: ReturnType<typeof createApp>, text: string): Promise<string> {
  const body = JSON.stringify({
    output: `12:00:00.000000000: Warning ${text} ${Date.now()}`,
    priority: 'Warning',
    rule: 'Terminal shell in container',
    output_fields: {},
  });
  const response = await app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { status: string; workflowId: string };
  expect(answer.status).toBe('started');
  return answer.workflowId;
}

async function eagerlyStarted(workflowId: string): Promise<boolean> {
  const [first] = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return first?.workflowExecutionStartedEventAttributes?.eagerExecutionAccepted === true;
}

describe('eager start', () => {
  it('is asked for an alert started alone, not for alerts that arrive while other starts are in flight', async () => {
    const app = appWith(temporalStarter(new Client({ connection: worker.connection }), worker.taskQueue, { eager: true }));

    const alone = await post(app, 'alone');
    expect(await eagerlyStarted(alone)).toBe(true);

    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => post(app, `burst ${i}`)));
    const eager = await Promise.all(burst.map(eagerlyStarted));
    // The first of the burst may go eagerly; the others find it in flight.
    expect(eager.filter(Boolean).length).toBeLessThanOrEqual(1);
    // Every one runs its action all the same.
    await Promise.all([alone, ...burst].map((id) => client.workflow.getHandle(id).result()));
  });
});

describe('the worker beside a busy ingest', () => {
  it('the ingest is busy while a burst waits for its starts, and calm once they are done', async () => {
    // One start at a time: 20 alerts keep a queue for a while.
    const starter = temporalStarter(client, `unpolled-${Date.now()}`, { concurrency: 1 });
    const app = appWith(starter);
    expect(starter.busy?.()).toBe(false);
    const burst = Promise.all(Array.from({ length: 20 }, (_, i) => post(app, `queued ${i}`)));
    await vi.waitFor(() => expect(starter.busy?.()).toBe(true), { interval: 1, timeout: 5_000 });
    await burst;
    expect(starter.busy?.()).toBe(false);
  });

  it('still runs every playbook while the ingest stays busy: new runs one at a time and paced, never none', async () => {
    const yielding = await startTestWorker(undefined, { ingestBusy: () => true });
    try {
      const app = appWith(temporalStarter(new Client({ connection: yielding.connection }), yielding.taskQueue, { eager: true }));
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => post(app, `busy ${i}`)));
      const reports = await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
      expect(reports.map((r: { outcome: string }) => r.outcome)).toEqual(ids.map(() => 'succeeded'));
    } finally {
      await yielding.stop();
    }
  });
});

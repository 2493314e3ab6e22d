import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { HttpTarget } from '../support/http-target.ts';
import { rulesFromYaml, startTestWorker, testClient, type TestWorker } from '../support/temporal.ts';

// `talon start`: the ingest's client on the worker's own connection asks for eager starts, but only
// while its start is the only one in flight (src/ingest/starter.ts says why). The server records
// whether it handed the first workflow task back in the start's answer.

let client: Client;
let worker: TestWorker;
let target: HttpTarget;

beforeAll(async () => {
  target = await new HttpTarget().start();
  target.route('/act', 200);
  client = await testClient();
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

async function eagerlyStarted(workflowId: string): Promise<boolean> {
  const [first] = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return first?.workflowExecutionStartedEventAttributes?.eagerExecutionAccepted === true;
}

describe('eager start', () => {
  it('is asked for an alert started alone, not for alerts that arrive while other starts are in flight', async () => {
    const ruleSet = await rulesFromYaml(`- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${target.url}/act" } }
`);
    const app = createApp({
      rules: () => ruleSet,
      starter: temporalStarter(new Client({ connection: worker.connection }), worker.taskQueue, { eager: true }),
      metrics: new Metrics(),
      log: silentLogger,
      dedupWindowSeconds: 0,
    });
    const post = async (text: string) => {
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
    };

    const alone = await post('alone');
    expect(await eagerlyStarted(alone)).toBe(true);

    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => post(`burst ${i}`)));
    const eager = await Promise.all(burst.map(eagerlyStarted));
    // The first of the burst may go eagerly; the others find it in flight.
    expect(eager.filter(Boolean).length).toBeLessThanOrEqual(1);
    // Every one runs its action all the same.
    await Promise.all([alone, ...burst].map((id) => client.workflow.getHandle(id).result()));
  });
});

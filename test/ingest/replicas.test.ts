import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTalon, type TalonProcess } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { listedRuns, startTestWorker, temporalAddress, testClient, type TestWorker } from '../support/temporal.ts';

// Two separate `talon serve` processes on one Temporal server: dedup holds across replicas because
// the server, not a local cache, enforces workflow-ID uniqueness.

let client: Client;
let worker: TestWorker;
let target: HttpTarget;
const replicas: TalonProcess[] = [];
const urls: string[] = [];

beforeAll(async () => {
  target = await new HttpTarget().start();
  target.route('/act', 200);
  client = await testClient();
  worker = await startTestWorker();
  const dir = mkdtempSync(join(tmpdir(), 'talon-replicas-'));
  const rules = join(dir, 'rules.yaml');
  writeFileSync(
    rules,
    `- rule: shell\n  match: { rules: [Terminal shell in container] }\n  actions:\n    - action: call\n      actionner: http:request\n      parameters: { url: "${target.url}/act" }\n`,
  );
  for (let i = 0; i < 2; i++) {
    const replica = spawnTalon(['serve', '-r', rules], {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: worker.taskQueue,
      LISTEN_ADDRESS: '127.0.0.1',
      LISTEN_PORT: '0',
      WATCH_RULES: 'false',
    });
    replicas.push(replica);
  }
  for (const replica of replicas) urls.push((await replica.waitFor(/Ingest endpoint: (http:\/\/[\d.:]+)\//))[1]!);
});

afterAll(async () => {
  for (const r of replicas) await r.kill();
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

describe('ingest replicas', () => {
  it('start exactly one workflow for concurrent identical alerts split between two processes', async () => {
    const body = JSON.stringify({ output: `replicated ${randomUUID()}`, priority: 'Warning', rule: 'Terminal shell in container' });
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => fetch(`${urls[i % 2]}/`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(bodies.filter((b) => b.status === 'started')).toHaveLength(1);
    expect(bodies.filter((b) => b.status === 'duplicate')).toHaveLength(59);
    const workflowId = bodies[0].workflowId;
    expect(await listedRuns(client, `WorkflowId = '${workflowId}'`)).toHaveLength(1);
  }, 120_000);
});

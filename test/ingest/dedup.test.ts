import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter, type StarterOptions } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import type { RuleSet } from '../../src/rules/index.ts';
import { HttpTarget } from '../support/http-target.ts';
import { listedRuns, rulesFromYaml, startTestWorker, testClient, type TestWorker } from '../support/temporal.ts';

// Deduplication is Temporal's workflow-ID uniqueness, exercised against the real dev server.

let client: Client;
let worker: TestWorker;
let target: HttpTarget;
let ruleSet: RuleSet;

beforeAll(async () => {
  target = await new HttpTarget().start();
  target.route('/act', 200).route('/raw', 200).route('/raw-default', 200);
  client = await testClient();
  worker = await startTestWorker();
  ruleSet = await rulesFromYaml(`- rule: shell
  match: { rules: [Terminal shell in container] }
  actions:
    - action: call
      actionner: http:request
      parameters: { url: "${target.url}/act" }
- rule: lossless
  match: { rules: [Raw time] }
  actions:
    - action: templated
      actionner: http:request
      parameters: { url: "${target.url}/raw", body: { raw: "\${EVT_RAWTIME}" } }
    - action: default body
      actionner: http:request
      parameters: { url: "${target.url}/raw-default" }
`);
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

function ingest(windowSeconds: number, starterOptions: StarterOptions = {}, taskQueue = worker.taskQueue) {
  return createApp({
    rules: () => ruleSet,
    starter: temporalStarter(client, taskQueue, starterOptions),
    metrics: new Metrics(),
    log: silentLogger,
    dedupWindowSeconds: windowSeconds,
  });
}

function alert(text: string) {
  const body = JSON.stringify({ output: `12:00:00.000000000: Warning ${text}`, priority: 'Warning', rule: 'Terminal shell in container', output_fields: {} });
  return { method: 'POST', body, headers: { 'content-type': 'application/json' } };
}

describe('deduplication by workflow ID', () => {
  it('starts exactly one workflow for 200 concurrent identical alerts, answering 200 to every one', async () => {
    const app = ingest(2);
    const text = `dedup burst ${Date.now()}`;
    const responses = await Promise.all(Array.from({ length: 200 }, async () => app.request('/', alert(text))));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    const started = bodies.filter((b) => b.status === 'started');
    expect(started).toHaveLength(1);
    expect(bodies.filter((b) => b.status === 'duplicate')).toHaveLength(199);
    expect(new Set(bodies.map((b) => b.workflowId)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.runId))).toEqual(new Set([started[0].runId]));
    const runs = await listedRuns(client, `WorkflowId = '${started[0].workflowId}'`);
    expect(runs.map((r) => r.runId)).toEqual([started[0].runId]);
  });

  it('treats the same alert as new once the window has passed and the run has closed', async () => {
    const app = ingest(1);
    const text = `dedup window ${Date.now()}`;
    const first = await (await app.request('/', alert(text))).json();
    expect(first.status).toBe('started');
    const again = await (await app.request('/', alert(text))).json();
    expect(again).toMatchObject({ status: 'duplicate', runId: first.runId });
    await client.workflow.getHandle(first.workflowId, first.runId).result();
    const later = await (await app.request('/', alert(text))).json();
    expect(later.status).toBe('started');
    expect(later.workflowId).toBe(first.workflowId);
    expect(later.runId).not.toBe(first.runId);
  });

  it('1,000 identical alerts within half a second across two loaded replicas start exactly one run, however long they wait', async () => {
    // Two replicas, each with its own start gate (one start at a time) and single flight, kept busy
    // by distinct alerts arriving with the identical ones, so that the later identical ones wait
    // longer than the 2 s window before their start (the first run has closed by then). The identical
    // alerts are all sent within half a second: on a loaded machine, too, every one of them arrives
    // within the window of the first.
    const replicas = [ingest(2, { concurrency: 1 }), ingest(2, { concurrency: 1 })];
    const text = `dedup loaded ${Date.now()}`;
    const identical: Promise<Response>[] = [];
    const load: Promise<Response>[] = [];
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 100; i++) identical.push(Promise.resolve(replicas[i % 2]!.request('/', alert(text))));
      for (let i = 0; i < 40; i++) load.push(Promise.resolve(replicas[i % 2]!.request('/', alert(`load ${text} ${batch}-${i}`))));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answers = await Promise.all(identical);
    expect(answers.map((r) => r.status)).toEqual(Array(1000).fill(200));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { status: string; workflowId: string }[];
    expect(bodies.filter((b) => b.status === 'started')).toHaveLength(1);
    expect(await listedRuns(client, `WorkflowId = '${bodies[0]?.workflowId ?? ''}'`)).toHaveLength(1);
    expect((await Promise.all(load)).every((r) => r.status === 200)).toBe(true);
  }, 120_000);

  it('keeps a fast playbook open for the whole window', async () => {
    const app = ingest(3);
    const started = await (await app.request('/', alert(`window hold ${Date.now()}`))).json();
    const t0 = Date.now();
    await client.workflow.getHandle(started.workflowId, started.runId).result();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
  });
});

describe('over-long alert values on the real server', () => {
  it('starts a playbook for a pod name, namespace and hostname of 3,000 bytes (clipped in search attributes, whole in the input)', async () => {
    const app = ingest(0);
    const pod = `pod-${'x'.repeat(3000)}`;
    const body = JSON.stringify({
      output: `long values ${Date.now()}`,
      priority: 'Warning',
      rule: 'Terminal shell in container',
      hostname: 'h'.repeat(3000),
      output_fields: { 'k8s.pod.name': pod, 'k8s.ns.name': 'n'.repeat(3000) },
    });
    const response = await app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    const { workflowId } = (await response.json()) as { workflowId: string };
    const handle = client.workflow.getHandle(workflowId);
    await handle.result();
    const description = await handle.describe();
    const k8sPod = description.searchAttributes.K8sPod?.[0];
    expect(typeof k8sPod === 'string' && k8sPod.length < 300 && k8sPod.startsWith('pod-xxx')).toBe(true);
    const history = await handle.fetchHistory();
    const input = JSON.stringify(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input ?? {});
    expect(input.length).toBeGreaterThan(9000);
  });
});

describe('a burst held, not dropped', () => {
  it('answers 200 to 500 distinct alerts sent all at once (as falcosidekick does), each with its run', async () => {
    const app = ingest(0);
    const tag = Date.now();
    const responses = await Promise.all(Array.from({ length: 500 }, async (_, i) => app.request('/', alert(`burst ${tag} ${i}`))));
    const bodies = (await Promise.all(
      responses.map(async (r) => ({ status: r.status, body: (await r.json()) as { status: string; workflowId: string } })),
    )) as {
      status: number;
      body: { status: string; workflowId: string };
    }[];
    expect(bodies.filter((b) => b.status !== 200)).toEqual([]);
    expect(bodies.every((b) => b.body.status === 'started')).toBe(true);
    expect(new Set(bodies.map((b) => b.body.workflowId)).size).toBe(500);
  }, 120_000);
});

describe('large integers', () => {
  it('keep every digit from the POST to the templated body and the alert sent on (as digits in a string)', async () => {
    const raw = '1717000000123456789';
    const body = `{"output":"Raw time ${Date.now()}","priority":"Warning","rule":"Raw time","output_fields":{"evt.rawtime":${raw},"fd.num":-9007199254740993,"proc.pid":42}}`;
    // A worker of its own: the shared one may still be working off the loaded test's 400 alerts.
    const own = await startTestWorker();
    const response = await ingest(0, {}, own.taskQueue).request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    const { workflowId } = (await response.json()) as { workflowId: string };
    await client.workflow.getHandle(workflowId).result();
    expect(JSON.parse(target.requestsTo('/raw')[0]?.body ?? '{}')).toEqual({ raw });
    const forwarded = JSON.parse(target.requestsTo('/raw-default')[0]?.body ?? '{}') as { output_fields: Record<string, unknown> };
    expect(forwarded.output_fields).toMatchObject({ 'evt.rawtime': raw, 'fd.num': '-9007199254740993', 'proc.pid': 42 });
    await own.stop();
  });
});

describe('repeats within the window', () => {
  it('are answered from what this ingest started, without a request to Temporal', async () => {
    const own = await testClient();
    const starter = temporalStarter(own, worker.taskQueue);
    const app = createApp({ rules: () => ruleSet, starter, metrics: new Metrics(), log: silentLogger, dedupWindowSeconds: 30 });
    const body = JSON.stringify({ output: `storm ${Date.now()}`, priority: 'Warning', rule: 'Terminal shell in container', output_fields: {} });
    const first = (await (await app.request('/', { method: 'POST', body })).json()) as { status: string; runId: string };
    expect(first.status).toBe('started');
    // With its connection closed, only the remembered start can answer.
    await own.connection.close();
    const repeat = await app.request('/', { method: 'POST', body });
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ status: 'duplicate', runId: first.runId });
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaybookReport } from '../../src/contract/index.ts';
import { planSettingsFrom } from '../../src/plan/settings.ts';
import { createFakeNode, testKube } from '../support/kube.ts';
import { falcoEvent, rulesFromYaml, startTestWorker, testClient, testConfig, testIngest } from '../support/temporal.ts';

// The blast-radius governor end to end: 50 alerts for 50 pods of one namespace, a budget of 5
// terminations per namespace, two workers on one task queue, kubernetes:terminate against the real
// API server. The budget is one workflow per scope, so the two workers cannot overspend it.

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const namespace = `gov-${randomBytes(3).toString('hex')}`;
const node = `kwok-${namespace}`;
const taskQueue = `governor-${randomUUID()}`;
const cleanups: (() => Promise<void>)[] = [];
let client: Client;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await createFakeNode(kube.kubeConfig, node);
  client = await testClient();
  const config = testConfig({
    kubeconfig: kube.kubeconfigPath,
    governor: { limits: [{ scope: 'namespace', max: 5, window: '1h' }] },
  });
  for (let i = 0; i < 2; i++) {
    const worker = await startTestWorker(config, { taskQueue, identity: `worker-${i}` });
    cleanups.push(() => worker.stop());
  }
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await client?.connection.close();
});

describe('blast-radius governor', () => {
  it('50 alerts for one namespace with a budget of 5 terminations: exactly 5 pods deleted, 45 reported over budget, across two workers', async () => {
    const pods = Array.from({ length: 50 }, (_, i) => `web-${i}`);
    await Promise.all(
      pods.map((name) =>
        core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }] } } }),
      ),
    );
    const ruleSet = await rulesFromYaml(`- rule: kill
  match: { rules: [Terminal shell in container] }
  actions:
    - action: terminate
      actionner: kubernetes:terminate
`);
    const settings = planSettingsFrom(testConfig({ governor: { limits: [{ scope: 'namespace', max: 5, window: '1h' }] } }));
    const app = testIngest(client, taskQueue, ruleSet, { governor: settings.governor });
    const ids = await Promise.all(
      pods.map(async (pod) => {
        const event = falcoEvent({ output: `shell in ${namespace}/${pod}`, hostname: node, output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': pod } });
        const response = await app.request('/', { method: 'POST', body: JSON.stringify(event) });
        expect(response.status).toBe(200);
        return ((await response.json()) as { workflowId: string }).workflowId;
      }),
    );
    const reports = await Promise.all(ids.map((id) => client.workflow.getHandle(id).result() as Promise<PlaybookReport>));
    const statuses = reports.map((r) => r.rules[0]?.actions[0]?.status);
    expect(statuses.filter((s) => s === 'success')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'over_budget')).toHaveLength(45);
    const left = (await core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.name);
    expect(left).toHaveLength(45);
    // The pods that are gone are exactly those whose action succeeded.
    const killed = reports.flatMap((r, i) => (r.rules[0]?.actions[0]?.status === 'success' ? [pods[i]] : []));
    expect(left.filter((name) => killed.includes(name))).toEqual([]);
    // Both workers ran playbooks: the budget held across them.
    const workers = new Set<string>();
    for (const id of ids) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      for (const e of history.events ?? []) if (e.workflowTaskCompletedEventAttributes?.identity) workers.add(e.workflowTaskCompletedEventAttributes.identity);
    }
    expect(workers.size).toBe(2);
  }, 180_000);
});

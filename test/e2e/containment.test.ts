import { randomBytes, randomUUID } from 'node:crypto';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { mergePatch } from '../../activities/kubernetes/client.ts';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentState, PlaybookReport } from '../../src/contract/index.ts';
import { CONTAINMENT_QUERY } from '../../src/contract/index.ts';
import { planSettingsFrom } from '../../src/plan/settings.ts';
import type { Hono } from 'hono';
import { runTalon } from '../support/cli.ts';
import { HttpTarget } from '../support/http-target.ts';
import { createFakeNode, createOwnedPod, testKube, waitUntil } from '../support/kube.ts';
import { falcoEvent, rulesFromYaml, startTestWorker, temporalAddress, testClient, testConfig, testIngest, type TestWorker } from '../support/temporal.ts';

// Time-boxed containment end to end: alert → playbook → label, annotation, network policy and
// cordon on the real API server → a containment workflow per action → at expiry (or on `talon
// release`) the objects are exactly as before; `talon extend|confirm|contained` on the way.

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const networking = kube.kubeConfig.makeApiClient(NetworkingV1Api);
const namespace = `contain-${randomBytes(3).toString('hex')}`;
const node = `kwok-${namespace}`;

let client: Client;
let worker: TestWorker;
let target: HttpTarget;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await createFakeNode(kube.kubeConfig, node);
  client = await testClient();
  target = await new HttpTarget().start();
  target.route('/notify', 200);
  worker = await startTestWorker(testConfig({ kubeconfig: kube.kubeconfigPath, notifiers: { webhook: { url: `${target.url}/notify` } } }));
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await target?.stop();
});

function ingest(yaml: string): Promise<Hono> {
  return rulesFromYaml(yaml).then((ruleSet) => testIngest(client, worker.taskQueue, ruleSet, { links: planSettingsFrom(testConfig()).links }));
}

async function alert(app: Hono, pod: string): Promise<PlaybookReport> {
  const event = falcoEvent({
    output: `shell in ${namespace}/${pod} ${randomUUID()}`,
    hostname: node,
    output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': pod },
  });
  const response = await app.request('/', { method: 'POST', body: JSON.stringify(event) });
  expect(response.status).toBe(200);
  const { workflowId } = (await response.json()) as { workflowId: string };
  return (await client.workflow.getHandle(workflowId).result()) as PlaybookReport;
}

const cli = (args: string[]) =>
  runTalon(args[0] === 'contained' ? args : [...args, '--as', 'oncall'], {
    env: { TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_TASK_QUEUE: worker.taskQueue },
  });
const state = (id: string) => client.workflow.getHandle(id).query<ContainmentState>(CONTAINMENT_QUERY);

async function objects(pod: string, policy: string) {
  const p = await core.readNamespacedPod({ namespace, name: pod });
  const n = await core.readNode({ name: node });
  const policies = (await networking.listNamespacedNetworkPolicy({ namespace })).items.map((x) => x.metadata?.name);
  return {
    labels: p.metadata?.labels,
    annotations: p.metadata?.annotations ?? {},
    unschedulable: n.spec?.unschedulable === true,
    policy: policies.includes(policy),
  };
}

describe('time-boxed containment', () => {
  it('holds label, annotation, network policy and cordon, then undoes exactly what it changed', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'web', nodeName: node, labels: { app: 'web', tier: 'frontend' } });
    const name = pod.metadata?.name ?? '';
    // An annotation of someone else's, and a label the action overwrites: both must come back.
    await core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations: { owner: 'team-a' } } } }, mergePatch);
    const before = await objects(name, 'web');
    const app = await ingest(`- rule: quarantine
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - action: mark
      actionner: kubernetes:label
      parameters: { labels: { tier: quarantined, falco.org/quarantine: "true" } }
      expire_after: 10s
    - action: note
      actionner: kubernetes:annotation
      parameters: { annotations: { falco.org/reason: shell } }
      expire_after: 10s
    - action: isolate
      actionner: kubernetes:networkpolicy
      expire_after: 10s
    - action: cordon
      actionner: kubernetes:cordon
      expire_after: 10s
`);
    const report = await alert(app, name);
    const actions = report.rules[0]?.actions ?? [];
    expect(actions.map((a) => [a.action, a.status])).toEqual([
      ['mark', 'success'],
      ['note', 'success'],
      ['isolate', 'success'],
      ['cordon', 'success'],
    ]);
    const holds = actions.map((a) => a.containment!.workflowId);
    // During: every change in place.
    const during = await objects(name, 'web');
    expect(during.labels).toMatchObject({ app: 'web', tier: 'quarantined', 'falco.org/quarantine': 'true' });
    expect(during.annotations).toMatchObject({ 'falco.org/reason': 'shell' });
    expect(during).toMatchObject({ unschedulable: true, policy: true });
    // After expiry: exactly as before.
    await Promise.all(holds.map((id) => client.workflow.getHandle(id).result()));
    expect(await objects(name, 'web')).toEqual(before);
    const notes = target
      .requestsTo('/notify')
      .map((r) => JSON.parse(r.body) as { message: string; status: string; action: string; result: string })
      .filter(
        (n) => n.message === 'containment' && (n as { trace_id?: string }).trace_id === report.rules[0]?.actions[0]?.containment?.workflowId.split('/')[0],
      );
    expect(notes.filter((n) => n.status === 'success').length).toBeGreaterThanOrEqual(4);
    expect(notes.find((n) => n.action === 'mark')?.result).toMatch(/expired after 10s/);
  }, 120_000);

  it('talon extend moves the deadline, talon confirm keeps it for good, talon release undoes it now', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'api', nodeName: node, labels: { app: 'api' } });
    const name = pod.metadata?.name ?? '';
    const app = await ingest(`- rule: hold
  match: { rules: [Terminal shell in container] }
  actions:
    - action: keep
      actionner: kubernetes:label
      parameters: { labels: { kept: "yes" } }
      expire_after: 1h
    - action: lift
      actionner: kubernetes:label
      parameters: { labels: { lifted: "yes" } }
      expire_after: 1h
`);
    const report = await alert(app, name);
    const [keep, lift] = (report.rules[0]?.actions ?? []).map((a) => a.containment!.workflowId) as [string, string];
    const until = Date.parse((await state(keep)).until);
    const held = await cli(['contained', '--json']);
    expect(held.code, held.stderr).toBe(0);
    expect((JSON.parse(held.stdout) as { workflowId: string }[]).map((c) => c.workflowId)).toEqual(expect.arrayContaining([keep, lift]));

    const extended = await cli(['extend', keep, '2h', '--reason', 'investigating']);
    expect(extended.code, extended.stderr).toBe(0);
    expect(Date.parse((await state(keep)).until) - until).toBe(2 * 3_600_000);
    expect((await cli(['extend', keep, 'a while'])).code).toBe(1);

    const confirmed = await cli(['confirm', keep, '--reason', 'compromised for sure']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(await client.workflow.getHandle(keep).result()).toMatchObject({ state: 'confirmed' });
    // Over: a second command is refused by the workflow's validator.
    const again = await cli(['release', keep]);
    expect(again.code).not.toBe(0);

    const released = await cli(['release', lift, '--reason', 'false positive']);
    expect(released.code, released.stderr).toBe(0);
    const final = (await client.workflow.getHandle(lift).result()) as ContainmentState;
    expect(final.state).toBe('undone');
    expect(final.history).toMatchObject([{ op: 'release', by: 'oncall', reason: 'false positive' }]);
    await waitUntil(
      'labels settled',
      async () => (await core.readNamespacedPod({ namespace, name })).metadata?.labels?.lifted === undefined,
      undefined,
      10_000,
    );
    const labels = (await core.readNamespacedPod({ namespace, name })).metadata?.labels;
    expect(labels).toMatchObject({ app: 'api', kept: 'yes' });
    expect(labels?.lifted).toBeUndefined();
    const listed = JSON.parse((await cli(['contained', '--json'])).stdout) as { workflowId: string }[];
    expect(listed.map((c) => c.workflowId)).not.toContain(keep);
    expect(listed.map((c) => c.workflowId)).not.toContain(lift);
  }, 120_000);
});

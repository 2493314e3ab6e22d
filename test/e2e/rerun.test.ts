import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRules } from '../../src/plan/build.ts';
import type { PlaybookInput } from '../../src/contract/index.ts';
import type { playbook } from '../../workflows/playbook.ts';
import { CALICO_CRD, ciliumCrdPath, installCrds } from '../kube/harness/crds.ts';
import { spawnTalon, type TalonProcess } from '../support/cli.ts';
import { FakeAws } from '../support/cloud-fakes.ts';
import { HttpTarget } from '../support/http-target.ts';
import { createFakeNode, createOwnedPod, testKube, waitUntil } from '../support/kube.ts';
import { falcoEvent, rulesFromYaml, temporalAddress, testClient } from '../support/temporal.ts';

// Re-runs after a lost completion: a worker process dies (SIGKILL, by the failpoint in
// activities/failpoint.ts) right after each action's first attempt did its work and before Temporal
// recorded it; Temporal retries the attempt on the next worker. What each re-run does is in its
// spec (`rerun`); here it is checked against the API server, an HTTP endpoint and the output folder.

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const namespace = `rerun-${randomUUID().slice(0, 6)}`;
const node = `kwok-${namespace}`;
let client: Client;
let target: HttpTarget;
let aws: FakeAws;
const workers: TalonProcess[] = [];

beforeAll(async () => {
  await installCrds(kube.kubeConfig, [CALICO_CRD, ciliumCrdPath()]);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await createFakeNode(kube.kubeConfig, node);
  target = await new HttpTarget().start();
  target.route('/ticket', 200);
  aws = await new FakeAws('AKIDRERUN', 'rerun-secret').addFunction('responder').start();
  client = await testClient();
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await client?.connection.close();
  await target?.stop();
  await aws?.stop();
});

/**
 * Runs a playbook on `talon worker` processes that the failpoint kills after each listed activity's
 * first attempt; a supervisor starts a new worker each time, until the playbook ends.
 */
async function runCrashing(config: string, crashing: readonly string[], input: PlaybookInput) {
  const taskQueue = `rerun-${randomUUID()}`;
  const spawn = () => {
    const w = spawnTalon(['-c', config, 'worker'], {
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      KUBECONFIG: kube.kubeconfigPath,
      TALON_FAILPOINT_CRASH_AFTER: crashing.join(','),
    });
    workers.push(w);
    return w;
  };
  let worker = spawn();
  const handle = await client.workflow.start<typeof playbook>('playbook', { taskQueue, workflowId: `rerun-${randomUUID()}`, args: [input] });
  let crashes = 0;
  const result = handle.result();
  let done = false;
  void result.finally(() => (done = true));
  while (!done) {
    const exited = await Promise.race([new Promise<boolean>((r) => worker.child.once('exit', () => r(true))), result.then(() => false)]);
    if (exited && !done) {
      crashes++;
      worker = spawn();
    }
  }
  return { handle, report: await result, crashes };
}

describe('re-run after a lost completion, one action of each kind', () => {
  it('label, the three network policies, terminate take effect once; http:request repeats its Idempotency-Key; aws:lambda is invoked again with the same payload; local:file keeps both artifacts', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'web', nodeName: node });
    const podName = pod.metadata?.name ?? '';
    await waitUntil('pod running', async () => (await core.readNamespacedPod({ namespace, name: podName })).status?.phase === 'Running', undefined, 30_000);
    const artifacts = mkdtempSync(join(tmpdir(), 'talon-rerun-'));
    const ruleSet = await rulesFromYaml(`- rule: rerun
  match: { rules: [Terminal shell in container] }
  actions:
    - { action: label, actionner: kubernetes:label, parameters: { labels: { quarantine: "true" } } }
    - { action: isolate, actionner: kubernetes:networkpolicy }
    - { action: deny (calico), actionner: calico:networkpolicy }
    - { action: deny (cilium), actionner: cilium:networkpolicy }
    - action: ticket
      actionner: http:request
      parameters: { url: "${target.url}/ticket" }
      output: { target: local:file, parameters: { destination: ${artifacts} } }
    - { action: invoke, actionner: aws:lambda, parameters: { aws_lambda_name: responder } }
    - { action: terminate, actionner: kubernetes:terminate }
`);
    const event = falcoEvent({ output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': podName, 'fd.rip': '203.0.113.7' } });
    // AWS keys are read from the environment only for keys the file has (as Talon): put them in it.
    const config = join(artifacts, '..', `rerun-${randomUUID()}.yaml`);
    writeFileSync(config, JSON.stringify({ aws: { region: 'eu-west-3', access_key: 'AKIDRERUN', secret_key: 'rerun-secret', endpoint: aws.url } }));
    const crashing = [
      'kubernetes:label',
      'kubernetes:networkpolicy',
      'calico:networkpolicy',
      'cilium:networkpolicy',
      'http:request',
      'aws:lambda',
      'kubernetes:terminate',
    ];
    const { handle, report, crashes } = await runCrashing(config, crashing, { event, rules: planRules(ruleSet.match(event), []), dedupWindowSeconds: 0 });
    expect(crashes).toBe(7);
    expect(report.rules[0]?.actions.map((a) => [a.action, a.status, a.attempts])).toEqual([
      ['label', 'success', 2],
      ['isolate', 'success', 2],
      ['deny (calico)', 'success', 2],
      ['deny (cilium)', 'success', 2],
      ['ticket', 'success', 2],
      ['invoke', 'success', 2],
      ['terminate', 'success', 2],
    ]);
    expect(report.rules[0]?.actions[6]?.result).toContain('already');
    // Invoked again with the same payload, as its spec says (the function must be idempotent).
    expect(aws.invocations).toHaveLength(2);
    expect(aws.invocations[0]?.payload).toEqual(aws.invocations[1]?.payload);
    // Once: the remote IP denied once in each policy.
    const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
    const calico = await custom.getNamespacedCustomObject({ group: 'projectcalico.org', version: 'v3', namespace, plural: 'networkpolicies', name: 'web' });
    expect(JSON.stringify(calico.spec.egress).match(/203\.0\.113\.7/g)).toHaveLength(1);
    const cilium = await custom.getNamespacedCustomObject({ group: 'cilium.io', version: 'v2', namespace, plural: 'ciliumnetworkpolicies', name: 'web' });
    expect(cilium.spec.egressDeny).toEqual([{ toCIDR: ['203.0.113.7/32'] }]);
    // Once: one policy, the pod gone (deleted by the first attempt; the retry found it gone).
    expect((await kube.kubeConfig.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace })).items).toHaveLength(1);
    await expect(core.readNamespacedPod({ namespace, name: podName })).rejects.toMatchObject({ code: 404 });
    // Twice, with one key: an endpoint honouring Idempotency-Key acts once.
    const tickets = target.requestsTo('/ticket');
    expect(tickets).toHaveLength(2);
    expect(new Set(tickets.map((t) => t.headers['idempotency-key']))).toEqual(new Set([`${handle.workflowId}/4`]));
    // Never overwritten: both attempts' artifacts are there.
    expect(readdirSync(artifacts)).toHaveLength(2);
  }, 240_000);

  it('a notification whose delivery was not recorded is delivered again (at least once, as the notifiers say)', async () => {
    target.route('/notify', 200);
    const ruleSet = await rulesFromYaml(`- rule: notified
  match: { rules: [Terminal shell in container] }
  notifiers: [webhook]
  actions:
    - { action: call, actionner: http:request, parameters: { url: "${target.url}/ticket" } }
`);
    const event = falcoEvent();
    const config = join(mkdtempSync(join(tmpdir(), 'talon-rerun-')), 'config.yaml');
    writeFileSync(config, JSON.stringify({ notifiers: { webhook: { url: `${target.url}/notify` } } }));
    const { report, crashes } = await runCrashing(config, ['notifier:webhook'], {
      event,
      rules: planRules(ruleSet.match(event), ['webhook']),
      dedupWindowSeconds: 0,
    });
    expect(report.outcome).toBe('succeeded');
    expect(crashes).toBe(1);
    const deliveries = target.requestsTo('/notify');
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]?.body).toBe(deliveries[1]?.body);
    expect(report.notifications).toEqual([expect.objectContaining({ notifier: 'webhook', status: 'sent' })]);
  }, 120_000);
});

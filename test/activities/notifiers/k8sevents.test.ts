import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventMessage, MAX_MESSAGE_BYTES } from '../../../activities/notifiers/k8sevents-message.ts';
import { k8sevents } from '../../../activities/notifiers/k8sevents.ts';
import type { Report } from '../../../src/contract/index.ts';
import { createOwnedPod, testKube, waitUntil } from '../../support/kube.ts';
import { createNamespace, depsFor, failureOf, serviceAccountWith, suffix } from '../kubernetes/k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `k8sev-${suffix()}`;
const send = (report: Report, d = deps) => k8sevents.send(report, k8sevents.spec.config.parse({}), d);

const report = (pod: string, extra: Partial<Report> = {}): Report => ({
  message: 'action',
  status: 'success',
  rule: 'Terminal shell in container',
  action: 'Label the pod',
  actionner: 'kubernetes:label',
  event: 'A shell was spawned in a container',
  objects: { pod, namespace },
  traceId: `trace-${suffix()}`,
  ...extra,
});

/** Events whose involvedObject matches `selector`, as `kubectl describe` searches them. */
async function events(ns: string, selector: string): Promise<CoreV1Event[]> {
  return (await core.listNamespacedEvent({ namespace: ns, fieldSelector: selector })).items;
}

async function createPod(name: string): Promise<string> {
  const { pod } = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name });
  return pod.metadata?.name ?? '';
}

describe('k8sevents message', () => {
  it('has one line per set field, objects title-cased and sorted, single quotes turned into double quotes', () => {
    const text = eventMessage({
      message: 'action',
      status: 'failure',
      rule: 'r',
      action: 'a',
      actionner: 'kubernetes:label',
      objects: { pod: 'p', namespace: 'n' },
      error: "the pod 'p' in the namespace 'n' doesn't exist",
      traceId: 't',
    });
    expect(text).toBe(
      [
        'Status: failure',
        'Message: action',
        'Rule: r',
        'Action: a',
        'Actionner: kubernetes:label',
        'Namespace: n',
        'Pod: p',
        'Error: the pod "p" in the namespace "n" doesn"t exist',
        'TraceID: t',
      ].join('\n'),
    );
  });

  it('fits 1024 bytes by shortening the longest field, without splitting characters and keeping the TraceID', () => {
    const text = eventMessage({
      message: 'action',
      status: 'success',
      objects: { pod: 'p' },
      event: 'é'.repeat(600),
      output: 'ü'.repeat(700),
      traceId: 'trace-42',
    });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(text).not.toContain('\uFFFD');
    expect(text.endsWith('TraceID: trace-42')).toBe(true);
    expect(text).toMatch(/\nEvent: é{100,}…\n/);
    expect(text).toMatch(/\nOutput: ü{100,}…\n/);
  });
});

describe('k8sevents notifier on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });

  it('takes an empty configuration and rejects unknown keys', () => {
    expect(k8sevents.spec.config.safeParse({}).success).toBe(true);
    expect(k8sevents.spec.config.safeParse({ namespace: 'x' }).success).toBe(false);
  });

  it("records an Event in the pod's namespace with the pod's uid, so kubectl describe pod lists it", async () => {
    const pod = await createPod('web');
    const uid = (await core.readNamespacedPod({ name: pod, namespace })).metadata?.uid ?? '';
    const sent = report(pod);
    await send(sent);
    const found = await events(namespace, `involvedObject.uid=${uid}`);
    expect(found).toHaveLength(1);
    const event = found[0]!;
    expect(event.metadata?.name).toMatch(/^falco-talon-/);
    expect(event.involvedObject).toMatchObject({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace, uid });
    expect(event).toMatchObject({
      reason: 'falco-talon:action:kubernetes:label:success',
      action: 'kubernetes:label',
      type: 'Normal',
      source: { component: 'falco-talon' },
      reportingComponent: 'falcosecurity.org/falco-talon',
      reportingInstance: 'falco-talon',
      count: 1,
    });
    expect(event.firstTimestamp).toBeInstanceOf(Date);
    expect(event.message).toBe(
      [
        'Status: success',
        'Message: action',
        'Rule: Terminal shell in container',
        'Action: Label the pod',
        'Actionner: kubernetes:label',
        'Event: A shell was spawned in a container',
        `Namespace: ${namespace}`,
        `Pod: ${pod}`,
        `TraceID: ${sent.traceId}`,
      ].join('\n'),
    );
  });

  it('once the pod is gone (e.g. after kubernetes:terminate), takes its uid from an earlier event about it', async () => {
    const pod = await createPod('doomed');
    const uid = (await core.readNamespacedPod({ name: pod, namespace })).metadata?.uid ?? '';
    await send(report(pod));
    await core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 });
    await waitUntil(
      'pod gone',
      async () => (await core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${pod}` })).items.length === 0,
      undefined,
      10_000,
    );
    await send(report(pod, { actionner: 'kubernetes:terminate' }));
    const found = await events(namespace, `involvedObject.uid=${uid}`);
    expect(found.map((e) => e.reason).sort()).toEqual(['falco-talon:action:kubernetes:label:success', 'falco-talon:action:kubernetes:terminate:success']);
  });

  it('still records the event, without uid, when the pod is gone and nothing recorded its uid', async () => {
    const pod = `never-${suffix()}`;
    await send(report(pod, { actionner: 'kubernetes:terminate' }));
    const found = await events(namespace, `involvedObject.name=${pod}`);
    expect(found).toHaveLength(1);
    expect(found[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace });
  });

  it('falls back to the default namespace when the namespace does not exist or is terminating', async () => {
    const missing = `missing-${suffix()}`;
    await send(report('p1', { objects: { pod: 'p1', namespace: missing } }));
    expect(await events('default', 'involvedObject.name=p1')).toEqual([
      expect.objectContaining({ involvedObject: expect.objectContaining({ kind: 'Pod', name: 'p1' }) }),
    ]);

    // No namespace controller runs in the test cluster, so a deleted namespace stays Terminating.
    const dying = `dying-${suffix()}`;
    await createNamespace(kube.kubeConfig, dying);
    await core.deleteNamespace({ name: dying });
    expect((await core.readNamespace({ name: dying })).status?.phase).toBe('Terminating');
    const traceId = `trace-${suffix()}`;
    await send(report('p2', { objects: { pod: 'p2', namespace: dying }, traceId }));
    const found = await events('default', 'involvedObject.name=p2');
    expect(found.map((e) => e.message?.endsWith(`TraceID: ${traceId}`))).toEqual([true]);
  });

  it('an output report (no pod) lands in default; a node report is about the Node, as kubectl describe node searches', async () => {
    const traceId = `trace-${suffix()}`;
    await send({ message: 'output', status: 'success', outputTarget: 'local:file', category: 'local', objects: { file: 'log', destination: '/tmp' }, traceId });
    const outputs = (await core.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.message?.includes(traceId));
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ reason: 'falco-talon:output:local:file:success', action: 'local:file' });

    const node = `node-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:cordon', objects: { node } }));
    const onNode = await events('default', `involvedObject.kind=Node,involvedObject.name=${node},involvedObject.uid=${node}`);
    expect(onNode).toHaveLength(1);
    expect(onNode[0]?.message).toContain(`Node: ${node}`);
  });

  it('a node report that also carries a namespace is about the Node, in default (the API refuses a cluster-scoped object elsewhere)', async () => {
    const node = `node-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:drain', objects: { node, namespace } }));
    const onNode = await events('default', `involvedObject.kind=Node,involvedObject.name=${node}`);
    expect(onNode).toHaveLength(1);
    expect(onNode[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'Node', name: node, uid: node });
    expect(await events(namespace, `involvedObject.name=${node}`)).toEqual([]);
  });

  it('a kubernetes:delete report is about the deleted object: in its namespace, or default for a cluster-scoped one', async () => {
    const name = `cm-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:delete', objects: { name, resource: 'configmaps', namespace } }));
    const found = await events(namespace, `involvedObject.kind=ConfigMap,involvedObject.name=${name}`);
    expect(found).toHaveLength(1);
    expect(found[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });
    expect(found[0]?.message).toContain(`Name: ${name}`);

    const deployment = `deploy-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:delete', objects: { name: deployment, resource: 'deployments', namespace } }));
    expect((await events(namespace, `involvedObject.name=${deployment}`))[0]?.involvedObject).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment,
      namespace,
    });

    const role = `cr-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:delete', objects: { name: role, resource: 'clusterroles', namespace: '' } }));
    expect((await events('default', `involvedObject.name=${role}`))[0]?.involvedObject).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      name: role,
    });

    // The deleted object's namespace is gone or terminating (a namespace deletion): default, without namespace.
    const dying = `dying-${suffix()}`;
    await createNamespace(kube.kubeConfig, dying);
    await core.deleteNamespace({ name: dying });
    await send(report('', { actionner: 'kubernetes:delete', objects: { name: dying, resource: 'namespaces', namespace: dying } }));
    expect((await events('default', `involvedObject.name=${dying}`))[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: dying });
    const secret = `secret-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:delete', objects: { name: secret, resource: 'secrets', namespace: dying } }));
    expect((await events('default', `involvedObject.name=${secret}`))[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'Secret', name: secret });
  });

  it('any other report with a namespace but no pod lands in default', async () => {
    const traceId = `trace-${suffix()}`;
    await send(report('', { actionner: 'kubernetes:delete', objects: { name: 'x', resource: 'widgets', namespace }, traceId }));
    const found = (await core.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.message?.includes(traceId));
    expect(found).toHaveLength(1);
    expect(found[0]?.involvedObject).toEqual({ apiVersion: 'v1', kind: 'Pod' });
  });

  it('works with exactly the declared permissions; without events create it fails permanently with Forbidden', async () => {
    const pod = await createPod('rbac');
    const uid = (await core.readNamespacedPod({ name: pod, namespace })).metadata?.uid ?? '';
    const full = await serviceAccountWith(kube, namespace, k8sevents.spec.permissions);
    await send(report(pod), depsFor(full));
    expect(await events(namespace, `involvedObject.uid=${uid}`)).toHaveLength(1);

    const readOnly = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get'] }] });
    const failure = await failureOf(send(report(pod), depsFor(readOnly)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'create' on 'events'");
    expect(await events(namespace, `involvedObject.uid=${uid}`)).toHaveLength(1);

    // The gone-pod path reads earlier events: covered by the declared permissions too.
    await core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 });
    await waitUntil(
      'pod gone',
      async () => (await core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${pod}` })).items.length === 0,
      undefined,
      10_000,
    );
    await send(report(pod, { actionner: 'kubernetes:terminate' }), depsFor(full));
    expect(await events(namespace, `involvedObject.uid=${uid}`)).toHaveLength(2);
  });
});

import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { label } from '../../../activities/kubernetes/label.ts';
import { createOwnedPod, testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, createNode, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `label-${suffix()}`;
const node = `label-node-${suffix()}`;

const params = (raw: unknown) => label.spec.params.parse(raw);
const run = (pod: string, raw: unknown, d = deps) => label.run(actionInput(podEvent(pod, namespace), params(raw)), d);
const podLabels = async (name: string) => (await core.readNamespacedPod({ name, namespace })).metadata?.labels;
const nodeLabels = async () => (await core.readNode({ name: node })).metadata?.labels;

/** A standalone pod with exactly `labels` (possibly none), bound to the test node. */
async function bare(name: string, labels?: Record<string, string>): Promise<string> {
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name, labels }, spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

describe('kubernetes:label parameters', () => {
  it('requires at least one label, with the reference message', () => {
    expect(z.prettifyError(label.spec.params.safeParse({ labels: {} }).error!)).toContain("parameter 'labels' should have at least one label");
    expect(label.spec.params.safeParse({}).success).toBe(false);
    expect(label.spec.params.safeParse({ level: 'pod' }).success).toBe(false);
  });

  it('defaults level to pod, accepts node, and rejects other levels and unknown keys', () => {
    expect(params({ labels: { a: 'b' } })).toEqual({ labels: { a: 'b' }, level: 'pod' });
    expect(params({ labels: { a: 'b' }, level: 'node' }).level).toBe('node');
    expect(label.spec.params.safeParse({ labels: { a: 'b' }, level: 'cluster' }).success).toBe(false);
    expect(label.spec.params.safeParse({ labels: { a: 'b' }, labelz: {} }).success).toBe(false);
  });

  it('turns null into "" (remove) and YAML numbers/booleans into their text', () => {
    expect(params({ labels: { gone: null, version: 2, enabled: true } }).labels).toEqual({ gone: '', version: '2', enabled: 'true' });
  });

  it('rejects invalid label keys and values at load time, naming them', () => {
    const bad = label.spec.params.safeParse({ labels: { 'bad key': 'x', 'a/b/c': 'x', ok: 'not valid!' } });
    const text = z.prettifyError(bad.error!);
    expect(text).toContain("'bad key' is not a valid label key");
    expect(text).toContain("'a/b/c' is not a valid label key");
    expect(text).toContain("'not valid!' is not a valid label value");
    expect(label.spec.params.safeParse({ labels: { 'falco.org/quarantine': 'x'.repeat(64) } }).success).toBe(false);
    expect(label.spec.params.safeParse({ labels: { 'falco.org/quarantine': 'true' } }).success).toBe(true);
  });
});

describe('kubernetes:label on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
    await createNode(kube.kubeConfig, node, { 'kubernetes.io/hostname': node, team: 'blue' });
  });

  it('adds, replaces and removes pod labels in one request, keeping the others', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: 'web', labels: { tier: 'front', old: 'x', stale: 'y' } });
    const name = pod.metadata?.name ?? '';
    const result = await run(name, { labels: { 'falco.org/quarantine': 'true', tier: 'isolated', old: '', stale: null } });
    expect(result).toEqual({
      status: 'success',
      result: `the pod '${name}' in the namespace '${namespace}' has been labeled`,
      objects: { pod: name, namespace },
    });
    expect(await podLabels(name)).toEqual({ app: 'web', tier: 'isolated', 'falco.org/quarantine': 'true' });
  });

  it('labels a pod that has no labels at all, without any dummy label', async () => {
    const name = await bare(`nolabels-${suffix()}`);
    expect(await podLabels(name)).toBeUndefined();
    await run(name, { labels: { quarantine: 'true' } });
    expect(await podLabels(name)).toEqual({ quarantine: 'true' });
  });

  it('removing labels that do not exist succeeds and changes nothing', async () => {
    const name = await bare(`absent-${suffix()}`, { keep: 'me' });
    const result = await run(name, { labels: { missing: '' } });
    expect(result.status).toBe('success');
    expect(await podLabels(name)).toEqual({ keep: 'me' });
  });

  it('is idempotent: running twice gives the same labels and an honest success both times', async () => {
    const name = await bare(`twice-${suffix()}`, { a: '1' });
    const parameters = { labels: { a: '2', b: 'x', c: '' } };
    const first = await run(name, parameters);
    const after = await podLabels(name);
    const second = await run(name, parameters);
    expect(second).toEqual(first);
    expect(await podLabels(name)).toEqual(after);
    expect(after).toEqual({ a: '2', b: 'x' });
  });

  it('level node labels the node the pod runs on (add, replace, remove) and reports {node}', async () => {
    const name = await bare(`onnode-${suffix()}`);
    const result = await run(name, { level: 'node', labels: { 'falco.org/compromised': 'true', team: 'red' } });
    expect(result).toEqual({ status: 'success', result: `the node '${node}' has been labeled`, objects: { node } });
    expect(await nodeLabels()).toEqual({ 'kubernetes.io/hostname': node, team: 'red', 'falco.org/compromised': 'true' });
    await run(name, { level: 'node', labels: { 'falco.org/compromised': null, team: '' } });
    expect(await nodeLabels()).toEqual({ 'kubernetes.io/hostname': node });
    expect(await podLabels(name)).toBeUndefined();
  });

  it('level node fails permanently when the pod is not scheduled', async () => {
    const name = `pending-${suffix()}`;
    await core.createNamespacedPod({ namespace, body: { metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } } });
    const failure = await failureOf(run(name, { level: 'node', labels: { a: 'b' } }));
    expect(failure).toMatchObject({ type: 'PodNotScheduled', nonRetryable: true });
  });

  it('fails permanently with PodNotFound and the reference text when the pod does not exist', async () => {
    const failure = await failureOf(run('ghost', { labels: { a: 'b' } }));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, message: `the pod 'ghost' in the namespace '${namespace}' doesn't exist` });
  });

  it('works with exactly the declared permissions, at both levels', async () => {
    const kubeconfig = await serviceAccountWith(kube, namespace, label.spec.permissions);
    const name = await bare(`rbac-${suffix()}`);
    await run(name, { labels: { rbac: 'ok' } }, depsFor(kubeconfig));
    await run(name, { level: 'node', labels: { rbac: 'ok' } }, depsFor(kubeconfig));
    expect(await podLabels(name)).toEqual({ rbac: 'ok' });
    expect((await nodeLabels())?.rbac).toBe('ok');
  });

  it('fails permanently with Forbidden naming the verb when the account may get but not patch pods', async () => {
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const name = await bare(`forbidden-${suffix()}`);
    const failure = await failureOf(run(name, { labels: { a: 'b' } }, depsFor(kubeconfig)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'patch' on 'pods'");
    expect(await podLabels(name)).toBeUndefined();
  });
});

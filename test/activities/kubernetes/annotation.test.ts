import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { annotation } from '../../../activities/kubernetes/annotation.ts';
import { testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, createNode, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `annot-${suffix()}`;
const node = `annot-node-${suffix()}`;

const params = (raw: unknown) => annotation.spec.params.parse(raw);
const run = (pod: string, raw: unknown, d = deps) => annotation.run(actionInput(podEvent(pod, namespace), params(raw)), d);
const podAnnotations = async (name: string) => (await core.readNamespacedPod({ name, namespace })).metadata?.annotations;
const nodeAnnotations = async () => (await core.readNode({ name: node })).metadata?.annotations;

async function bare(name: string, annotations?: Record<string, string>): Promise<string> {
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name, annotations }, spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

describe('kubernetes:annotation parameters', () => {
  it('requires at least one annotation, with the reference message', () => {
    expect(z.prettifyError(annotation.spec.params.safeParse({ annotations: {} }).error!)).toContain(
      "parameter 'annotations' should have at least one annotation",
    );
    expect(annotation.spec.params.safeParse({ level: 'node' }).success).toBe(false);
  });

  it('accepts free-form values (spaces, long text) but checks keys; level defaults to pod', () => {
    const long = 'x'.repeat(500);
    expect(params({ annotations: { 'falco.org/rule': 'Terminal shell in container', note: long } })).toEqual({
      annotations: { 'falco.org/rule': 'Terminal shell in container', note: long },
      level: 'pod',
    });
    expect(z.prettifyError(annotation.spec.params.safeParse({ annotations: { 'no spaces': 'x' } }).error!)).toContain(
      "'no spaces' is not a valid annotation key",
    );
    expect(annotation.spec.params.safeParse({ annotations: { a: 'b' }, level: 'Node' }).success).toBe(false);
  });
});

describe('kubernetes:annotation on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
    await createNode(kube.kubeConfig, node);
  });

  it('adds, replaces and removes pod annotations, keeping the others', async () => {
    const name = await bare(`pod-${suffix()}`, { keep: 'me', replace: 'old', remove: 'x' });
    const result = await run(name, { annotations: { 'falco.org/rule': "Terminal shell in container (it's bad)", replace: 'new', remove: null } });
    expect(result).toEqual({
      status: 'success',
      result: `the pod '${name}' in the namespace '${namespace}' has been annotated`,
      objects: { pod: name, namespace },
    });
    expect(await podAnnotations(name)).toEqual({ keep: 'me', replace: 'new', 'falco.org/rule': "Terminal shell in container (it's bad)" });
  });

  it('annotates a pod without annotations, and running twice leaves the same state', async () => {
    const name = await bare(`twice-${suffix()}`);
    const first = await run(name, { annotations: { a: '1', b: '' } });
    const second = await run(name, { annotations: { a: '1', b: '' } });
    expect(second).toEqual(first);
    expect(await podAnnotations(name)).toEqual({ a: '1' });
  });

  it("level node annotates the pod's node; the text says 'annotated' (the reference said 'annotationed')", async () => {
    const name = await bare(`onnode-${suffix()}`);
    const result = await run(name, { level: 'node', annotations: { 'falco.org/alert': 'shell', other: 'x' } });
    expect(result).toEqual({ status: 'success', result: `the node '${node}' has been annotated`, objects: { node } });
    expect(await nodeAnnotations()).toEqual({ 'falco.org/alert': 'shell', other: 'x' });
    await run(name, { level: 'node', annotations: { other: '' } });
    expect(await nodeAnnotations()).toEqual({ 'falco.org/alert': 'shell' });
    expect(await podAnnotations(name)).toBeUndefined();
  });

  it('fails permanently with PodNotFound when the pod does not exist', async () => {
    const failure = await failureOf(run('ghost', { annotations: { a: 'b' } }));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, message: `the pod 'ghost' in the namespace '${namespace}' doesn't exist` });
  });

  it('works with exactly the declared permissions; without nodes/patch, level node is Forbidden', async () => {
    const name = await bare(`rbac-${suffix()}`);
    const full = await serviceAccountWith(kube, namespace, annotation.spec.permissions);
    await run(name, { annotations: { rbac: 'ok' } }, depsFor(full));
    await run(name, { level: 'node', annotations: { rbac: 'ok' } }, depsFor(full));
    expect(await podAnnotations(name)).toEqual({ rbac: 'ok' });
    expect((await nodeAnnotations())?.rbac).toBe('ok');

    const podOnly = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] }] });
    const failure = await failureOf(run(name, { level: 'node', annotations: { denied: 'x' } }, depsFor(podOnly)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'patch' on 'nodes'");
    expect((await nodeAnnotations())?.denied).toBeUndefined();
  });
});

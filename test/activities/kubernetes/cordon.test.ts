import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesCordon } from '../../../activities/kubernetes/cordon.ts';
import { testKube } from '../../support/kube.ts';
import { loadExample, runActionner } from './k1-support.ts';
import { createNamespace, createNode, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `cordon-${suffix()}`;
const nodes: string[] = [];

const cordon = (pod: string, raw: unknown = {}, d = deps) => runActionner(kubernetesCordon, raw, podEvent(pod, namespace), d);
const unschedulable = async (node: string) => (await core.readNode({ name: node })).spec?.unschedulable;

/** A fresh node (cordoning is cluster-wide state) and a pod bound to it. */
async function podOnNewNode(): Promise<{ pod: string; node: string }> {
  const node = `cordon-node-${suffix()}`;
  await createNode(kube.kubeConfig, node);
  nodes.push(node);
  const pod = await podOn(node);
  return { pod, node };
}

async function podOn(nodeName: string | undefined): Promise<string> {
  const pod = `app-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name: pod }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return pod;
}

describe('kubernetes:cordon', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });
  afterAll(async () => {
    for (const name of nodes) await core.deleteNode({ name });
  });

  it('is registered, and its example loads as a rule', async () => {
    expect(await loadExample(kubernetesCordon)).toMatchObject({ actionner: 'kubernetes:cordon' });
  });

  it('takes no parameters and continues the rule by default', () => {
    expect(kubernetesCordon.spec.params.safeParse({}).success).toBe(true);
    expect(kubernetesCordon.spec.params.safeParse({ force: true }).success).toBe(false);
    expect(kubernetesCordon.spec.defaultContinue).toBe(true);
  });

  it("marks the pod's node unschedulable and reports the reference text", async () => {
    const { pod, node } = await podOnNewNode();
    expect(await unschedulable(node)).toBeUndefined();
    expect(await cordon(pod)).toEqual({ status: 'success', result: `the node '${node}' has been cordoned`, objects: { node } });
    expect(await unschedulable(node)).toBe(true);
  });

  it('is idempotent: cordoning twice leaves the node cordoned and the rest of its spec untouched', async () => {
    const { pod, node } = await podOnNewNode();
    await core.patchNode({ name: node, body: [{ op: 'add', path: '/spec/taints', value: [{ key: 'quarantine', effect: 'NoSchedule' }] }] });
    await cordon(pod);
    expect(await cordon(pod)).toMatchObject({ status: 'success', result: `the node '${node}' has been cordoned` });
    const spec = (await core.readNode({ name: node })).spec;
    expect(spec?.unschedulable).toBe(true);
    expect(spec?.taints).toEqual([{ key: 'quarantine', effect: 'NoSchedule' }]);
  });

  it('fails with NodeNotFound (permanent) for a pod not scheduled yet, with the reference text', async () => {
    const pod = await podOn(undefined);
    expect(await failureOf(cordon(pod))).toMatchObject({
      type: 'NodeNotFound',
      nonRetryable: true,
      message: `can't find the node for the pod '${pod}' in namespace '${namespace}'`,
    });
  });

  it('fails with NodeNotFound (permanent) when the node object does not exist', async () => {
    const pod = await podOn('vanished-node');
    const failure = await failureOf(cordon(pod));
    expect(failure).toMatchObject({ type: 'NodeNotFound', nonRetryable: true });
    expect(failure.message).toContain("the node 'vanished-node' doesn't exist");
  });

  it('fails the checks with PodNotFound when the pod does not exist', async () => {
    expect(await failureOf(cordon('ghost'))).toMatchObject({
      type: 'PodNotFound',
      nonRetryable: true,
      message: `the pod 'ghost' in the namespace '${namespace}' doesn't exist`,
    });
  });

  it('fails with Forbidden (permanent) naming the verb when the service account may not patch nodes', async () => {
    const { pod, node } = await podOnNewNode();
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const failure = await failureOf(cordon(pod, {}, depsFor(kubeconfig)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'patch' on 'nodes'");
    expect(await unschedulable(node)).toBeUndefined();
  });

  it('works with exactly its declared permissions', async () => {
    const { pod, node } = await podOnNewNode();
    const kubeconfig = await serviceAccountWith(kube, namespace, kubernetesCordon.spec.permissions);
    expect((await cordon(pod, {}, depsFor(kubeconfig))).status).toBe('success');
    expect(await unschedulable(node)).toBe(true);
  });
});

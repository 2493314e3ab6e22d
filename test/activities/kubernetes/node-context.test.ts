import { CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { withAdditionalContexts } from '../../../activities/contexts.ts';
import { contextImplementations } from '../../../activities/implementations.ts';
import { k8snodeContext } from '../../../activities/kubernetes/node-context.ts';
import { k8snodeSpec } from '../../../activities/kubernetes/node-context.spec.ts';
import { findContext } from '../../../activities/specs.ts';
import { testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, createNode, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `nodectx-${suffix()}`;

async function podOn(nodeName: string | undefined): Promise<string> {
  const name = `pod-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

const input = (pod: string) => actionInput(podEvent(pod, namespace), {});

describe('k8snode additional context', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });

  it('is listed under its reference name in the specs and the implementations', async () => {
    expect(findContext('k8snode')).toBe(k8snodeSpec);
    expect(await contextImplementations.k8snode?.()).toBe(k8snodeContext);
  });

  it("reads the well-known labels and provider ID of the pod's node, merged into the Talon context", async () => {
    const node = `ctx-${suffix()}`;
    await createNode(
      kube.kubeConfig,
      node,
      {
        'kubernetes.io/hostname': `host-${node}`,
        'node.kubernetes.io/instance-type': 'm5.large',
        'kubernetes.io/role': 'worker',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': 'eu-west-1a',
      },
      'aws:///eu-west-1a/i-0123456789abcdef0',
    );
    const pod = await podOn(node);
    const context = await withAdditionalContexts(['k8snode'], { ...input(pod), context: { 'falco-talon.rule': 'r' } }, deps);
    expect(context).toEqual({
      'falco-talon.rule': 'r',
      'node.hostname': `host-${node}`,
      'node.instancetype': 'm5.large',
      'node.role': 'worker',
      'node.topology.region': 'eu-west-1',
      'node.topology.zone': 'eu-west-1a',
      'node.spec.providerid': 'aws:///eu-west-1a/i-0123456789abcdef0',
    });
  });

  it('falls back to deprecated beta labels and node-role.kubernetes.io/<role>, and leaves out what the node lacks', async () => {
    const node = `ctx-${suffix()}`;
    await createNode(kube.kubeConfig, node, {
      'beta.kubernetes.io/instance-type': 'n2-standard-4',
      'failure-domain.beta.kubernetes.io/zone': 'us-central1-b',
      'node-role.kubernetes.io/control-plane': '',
      'node-role.kubernetes.io/etcd': '',
    });
    const context = await k8snodeContext.fetch(input(await podOn(node)), deps);
    expect(context).toEqual({
      'node.hostname': node,
      'node.instancetype': 'n2-standard-4',
      'node.role': 'control-plane,etcd',
      'node.topology.zone': 'us-central1-b',
    });
  });

  it('fails permanently for a missing pod, an unscheduled pod and a missing node', async () => {
    expect(await failureOf(k8snodeContext.fetch(input('ghost'), deps))).toMatchObject({ type: 'PodNotFound', nonRetryable: true });
    expect(await failureOf(k8snodeContext.fetch(input(await podOn(undefined)), deps))).toMatchObject({ type: 'PodNotScheduled', nonRetryable: true });
    expect(await failureOf(k8snodeContext.fetch(input(await podOn(`gone-${suffix()}`)), deps))).toMatchObject({ type: 'NodeNotFound', nonRetryable: true });
  });

  it('works with exactly k8snodeSpec.permissions; without nodes get it is Forbidden', async () => {
    const node = `ctx-${suffix()}`;
    await createNode(kube.kubeConfig, node, { 'kubernetes.io/hostname': node });
    const pod = await podOn(node);
    const full = await serviceAccountWith(kube, namespace, k8snodeSpec.permissions);
    expect(await k8snodeContext.fetch(input(pod), depsFor(full))).toEqual({ 'node.hostname': node });
    const podsOnly = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const failure = await failureOf(k8snodeContext.fetch(input(pod), depsFor(podsOnly)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'get' on 'nodes'");
  });
});

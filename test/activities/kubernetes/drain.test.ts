import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDrain } from '../../../activities/kubernetes/drain.ts';
import { createFakeNode, createOwnedPod, testKube, type OwnerKind } from '../../support/kube.ts';
import { loadExample, runActionner, setReplicas, siblingPod, statusOf, waitGone, waitReady } from './k1-support.ts';
import type { FalcoEvent } from '../../../src/contract/index.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `drain-${suffix()}`;
const nodes: string[] = [];
const finalized: string[] = [];

const drain = (pod: string, raw: unknown = {}, d = deps) => runActionner(kubernetesDrain, raw, podEvent(pod, namespace), d);
/** A retry as the activity runs it: checks, then run, with Temporal's attempt number 2. */
async function retryDrain(event: FalcoEvent, raw: unknown = {}) {
  const input = { ...actionInput(event, kubernetesDrain.spec.params.parse(raw)), attempt: 2 };
  await kubernetesDrain.checks?.(input, deps);
  return kubernetesDrain.run(input, deps);
}
const exists = async (pod: string) => (await statusOf(core.readNamespacedPod({ name: pod, namespace }))) === 200;
const nameOf = (pod: V1Pod) => pod.metadata?.name ?? '';
const drained = (node: string, ignored: number, evictionErrors = 0, otherErrors = 0) =>
  `the node '${node}' has been drained, errors are ignored: ${ignored} ignored pods, ${evictionErrors} eviction errors, ${otherErrors} other errors`;

/** Drain acts on a whole node: every scenario gets its own KWOK node. */
async function newNode(): Promise<string> {
  const node = `drain-node-${suffix()}`;
  await createFakeNode(kube.kubeConfig, node);
  nodes.push(node);
  return node;
}

async function owned(kind: OwnerKind, node: string, name = `${kind.toLowerCase()}-${suffix()}`): Promise<V1Pod> {
  return (await createOwnedPod(kube.kubeConfig, kind, { namespace, name, nodeName: node })).pod;
}

async function standalone(
  node: string,
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string>; finalizers?: string[] } = {},
): Promise<string> {
  const name = `bare-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name, ...metadata }, spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  if (metadata.finalizers) finalized.push(name);
  return name;
}

describe('kubernetes:drain parameters', () => {
  it('defaults: DaemonSet pods ignored (fix), nothing else, no wait', () => {
    expect(kubernetesDrain.spec.params.parse({})).toEqual({
      ignore_daemonsets: true,
      ignore_statefulsets: false,
      ignore_errors: false,
      max_wait_period: 0,
      wait_period_excluded_namespaces: [],
    });
    expect(kubernetesDrain.spec.defaultContinue).toBe(true);
  });

  it('is registered, and its example loads as a rule', async () => {
    expect(await loadExample(kubernetesDrain)).toMatchObject({
      actionner: 'kubernetes:drain',
      parameters: { min_healthy_replicas: '50%', max_wait_period: 90 },
    });
  });

  it('rejects unknown keys and wrong types', () => {
    for (const bad of [
      { force: true },
      { max_wait_period: -1 },
      { ignore_errors: 'yes' },
      { min_healthy_replicas: '150%' },
      { wait_period_excluded_namespaces: 'kube-system' },
    ]) {
      expect(kubernetesDrain.spec.params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('kubernetes:drain on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });
  afterAll(async () => {
    for (const name of finalized)
      await core.patchNamespacedPod({ name, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] }).catch(() => undefined);
    for (const name of nodes) await core.deleteNode({ name });
  });

  it('cordons the node, evicts its pods and leaves DaemonSet and mirror pods (by default)', async () => {
    const node = await newNode();
    const rs = nameOf(await owned('ReplicaSet', node));
    const sts = nameOf(await owned('StatefulSet', node));
    const ds = nameOf(await owned('DaemonSet', node));
    const bare = await standalone(node);
    const mirror = await standalone(node, { annotations: { 'kubernetes.io/config.mirror': 'static-pod-hash' } });
    const result = await drain(rs, { max_wait_period: 30 });
    expect(result).toEqual({ status: 'success', result: drained(node, 2), objects: { node } });
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);
    // max_wait_period waited for the evicted pods to be gone.
    for (const pod of [rs, sts, bare]) expect(await exists(pod), pod).toBe(false);
    for (const pod of [ds, mirror]) expect(await exists(pod), pod).toBe(true);
  });

  it('evicts DaemonSet pods when ignore_daemonsets is false, and keeps StatefulSet pods with ignore_statefulsets', async () => {
    const node = await newNode();
    const ds = nameOf(await owned('DaemonSet', node));
    const sts = nameOf(await owned('StatefulSet', node));
    expect((await drain(sts, { ignore_daemonsets: false, ignore_statefulsets: true })).result).toBe(drained(node, 1));
    await waitGone(kube.kubeConfig, namespace, ds);
    expect(await exists(sts)).toBe(true);
  });

  it('without max_wait_period, returns once the evictions are accepted', async () => {
    const node = await newNode();
    const bare = await standalone(node);
    expect((await drain(bare)).status).toBe('success');
    // Evicted: either still terminating or already gone.
    const left = await core.readNamespacedPod({ name: bare, namespace }).catch(() => undefined);
    expect(left === undefined || left.metadata?.deletionTimestamp !== undefined).toBe(true);
  });

  it('min_healthy_replicas N: pods of one ReplicaSet share the budget', async () => {
    const node = await newNode();
    const first = await owned('ReplicaSet', node);
    const rs = first.metadata?.ownerReferences?.[0]?.name ?? '';
    const pods = [
      nameOf(first),
      nameOf(await siblingPod(kube.kubeConfig, first, `${rs}-b`, node)),
      nameOf(await siblingPod(kube.kubeConfig, first, `${rs}-c`, node)),
    ];
    for (const pod of pods) await waitReady(kube.kubeConfig, namespace, pod);
    await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, rs, 3, 3);
    // 3 healthy, 2 must stay: exactly one of the three may be evicted.
    expect((await drain(pods[0]!, { min_healthy_replicas: '2', max_wait_period: 30 })).result).toBe(drained(node, 2));
    const remaining = await Promise.all(pods.map(exists));
    expect(remaining.filter(Boolean)).toHaveLength(2);
  });

  it('min_healthy_replicas N%: a percentage of the desired replicas', async () => {
    const node = await newNode();
    const first = await owned('ReplicaSet', node);
    const rs = first.metadata?.ownerReferences?.[0]?.name ?? '';
    const pods = [
      nameOf(first),
      nameOf(await siblingPod(kube.kubeConfig, first, `${rs}-b`, node)),
      nameOf(await siblingPod(kube.kubeConfig, first, `${rs}-c`, node)),
    ];
    for (const pod of pods) await waitReady(kube.kubeConfig, namespace, pod);
    // 4 desired and ready (one on another node), 50% = 2 must stay: two of the three may go.
    await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, rs, 4, 4);
    expect((await drain(pods[0]!, { min_healthy_replicas: '50%', max_wait_period: 30 })).result).toBe(drained(node, 1));
    expect((await Promise.all(pods.map(exists))).filter(Boolean)).toHaveLength(1);
  });

  it('counts an eviction refused by a PodDisruptionBudget (429) as an eviction error: retryable failure, or success with ignore_errors', async () => {
    const node = await newNode();
    const guarded = await standalone(node, { labels: { guard: 'yes' } });
    // No disruption controller runs, so the budget is never processed and the API refuses every eviction it covers.
    await kube.kubeConfig.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace,
      body: { metadata: { name: `pdb-${suffix()}` }, spec: { minAvailable: 1, selector: { matchLabels: { guard: 'yes' } } } },
    });
    const failure = await failureOf(drain(guarded));
    expect(failure.type).toBe('NodeNotDrained');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain(
      `the node '${node}' has not been fully drained: 0 pods ignored, 1 eviction errors, 0 were not evicted during max_wait_period, 0 other errors`,
    );
    expect(failure.message).toContain('429');
    expect(await exists(guarded)).toBe(true);
    expect(await drain(guarded, { ignore_errors: true })).toMatchObject({ status: 'success', result: drained(node, 0, 1) });
  });

  it('max_wait_period: a pod that does not go in time fails the drain (retryable); a retry (the pod still terminating) waits for it again', async () => {
    const node = await newNode();
    // A finalizer keeps the evicted pod Terminating.
    const stuck = await standalone(node, { finalizers: ['falco.org/hold'] });
    const failure = await failureOf(drain(stuck, { max_wait_period: 2 }));
    expect(failure).toMatchObject({ type: 'NodeNotDrained', nonRetryable: false });
    expect(failure.message).toBe(
      `the node '${node}' has not been fully drained: 0 pods ignored, 0 eviction errors, 1 were not evicted during max_wait_period, 0 other errors`,
    );
    const pod = await core.readNamespacedPod({ name: stuck, namespace });
    expect(pod.metadata?.deletionTimestamp).toBeDefined();
    // The retry (the pod is still there, terminating) waits again and again reports it.
    expect((await failureOf(drain(stuck, { max_wait_period: 1 }))).message).toContain('1 were not evicted during max_wait_period');
    // wait_period_excluded_namespaces: pods there are not waited for.
    expect((await drain(stuck, { max_wait_period: 1, wait_period_excluded_namespaces: [namespace] })).result).toBe(drained(node, 0));
    // Released, it goes.
    await core.patchNamespacedPod({ name: stuck, namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await waitGone(kube.kubeConfig, namespace, stuck);
  });

  it('fails with NodeNotFound for a pod not scheduled on a node, and with PodNotFound for a missing pod', async () => {
    const pending = `pending-${suffix()}`;
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: pending }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    });
    expect(await failureOf(drain(pending))).toMatchObject({
      type: 'NodeNotFound',
      nonRetryable: true,
      message: `can't find the node for the pod '${pending}' in namespace '${namespace}'`,
    });
    expect(await failureOf(drain('ghost'))).toMatchObject({ type: 'PodNotFound', nonRetryable: true });
  });

  it('fails with Forbidden (permanent) naming pods/eviction when evictions are not allowed; the node is cordoned, the pods stay', async () => {
    const node = await newNode();
    const bare = await standalone(node);
    const withoutEviction = (kubernetesDrain.spec.permissions.kubernetes ?? []).filter((r) => !r.resources.includes('pods/eviction'));
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: withoutEviction });
    const failure = await failureOf(drain(bare, {}, depsFor(kubeconfig)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain('1 eviction errors');
    expect(failure.message).toContain("missing RBAC permission 'create' on 'pods/eviction'");
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);
    expect(await exists(bare)).toBe(true);
  });

  it('fails with Forbidden naming the verb when it may not cordon, before evicting anything', async () => {
    const node = await newNode();
    const bare = await standalone(node);
    const withoutNodes = (kubernetesDrain.spec.permissions.kubernetes ?? []).filter((r) => !r.resources.includes('nodes'));
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: withoutNodes });
    const failure = await failureOf(drain(bare, {}, depsFor(kubeconfig)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'patch' on 'nodes'");
    expect(await exists(bare)).toBe(true);
  });

  it('works with exactly its declared permissions, owner reads for min_healthy_replicas included', async () => {
    const node = await newNode();
    const first = await owned('ReplicaSet', node);
    const sts = nameOf(await owned('StatefulSet', node));
    await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, first.metadata?.ownerReferences?.[0]?.name ?? '', 1, 1);
    const kubeconfig = await serviceAccountWith(kube, namespace, kubernetesDrain.spec.permissions);
    const result = await drain(nameOf(first), { min_healthy_replicas: '0', max_wait_period: 30 }, depsFor(kubeconfig));
    expect(result.result).toBe(drained(node, 0));
    expect(await exists(nameOf(first))).toBe(false);
    expect(await exists(sts)).toBe(false);
  });

  it('a retry whose pod is gone (evicted by the previous attempt) drains the node named by the event hostname', async () => {
    const node = await newNode();
    const alerted = await standalone(node);
    const other = await standalone(node);
    // The first attempt evicted the alert's pod, then failed (e.g. a PDB); its eviction went through.
    await core.deleteNamespacedPod({ name: alerted, namespace, gracePeriodSeconds: 0 });
    await waitGone(kube.kubeConfig, namespace, alerted);
    const event = { ...podEvent(alerted, namespace), hostname: node };
    // A first attempt still fails as the reference does.
    expect(await failureOf(runActionner(kubernetesDrain, {}, event, deps))).toMatchObject({ type: 'PodNotFound', nonRetryable: true });
    expect(await retryDrain(event, { max_wait_period: 30 })).toEqual({ status: 'success', result: drained(node, 0), objects: { node } });
    expect((await core.readNode({ name: node })).spec?.unschedulable).toBe(true);
    expect(await exists(other)).toBe(false);
    // No Node of the hostname's name: the pod's failure stands.
    const failure = await failureOf(retryDrain({ ...event, hostname: `no-such-node-${suffix()}` }));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, message: `the pod '${alerted}' in the namespace '${namespace}' doesn't exist` });
  });

  it("a retry whose pod was replaced by a namesake created after the event (elsewhere) drains the hostname node, not the namesake's", async () => {
    const node = await newNode();
    const elsewhere = await newNode();
    const other = await standalone(node);
    const name = `sts-${suffix()}-0`;
    const eventTime = new Date(Date.now() - 60_000).toISOString();
    // The StatefulSet recreated the evicted pod on another node (the drained one is cordoned).
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name }, spec: { nodeName: elsewhere, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    });
    const event = { ...podEvent(name, namespace), hostname: node, time: eventTime };
    expect((await retryDrain(event, { max_wait_period: 30 })).result).toBe(drained(node, 0));
    expect(await exists(other)).toBe(false);
    expect(await exists(name)).toBe(true);
    expect((await core.readNode({ name: elsewhere })).spec?.unschedulable).toBeFalsy();
  });

  it('min_healthy_replicas: a pod whose owner no longer exists is not held back and is no error', async () => {
    const node = await newNode();
    const pod = await owned('ReplicaSet', node);
    // No garbage collector runs: the pod outlives its ReplicaSet.
    await kube.kubeConfig.makeApiClient(AppsV1Api).deleteNamespacedReplicaSet({ name: pod.metadata?.ownerReferences?.[0]?.name ?? '', namespace });
    expect(await drain(nameOf(pod), { min_healthy_replicas: '1', max_wait_period: 30 })).toEqual({
      status: 'success',
      result: drained(node, 0),
      objects: { node },
    });
    expect(await exists(nameOf(pod))).toBe(false);
  });
});

import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUidConflict, kubernetesTerminate } from '../../../activities/kubernetes/terminate.ts';
import { createFakeNode, createOwnedPod, testKube, type OwnerKind } from '../../support/kube.ts';
import { loadExample, runActionner, setReplicas, statusOf, waitReady } from './k1-support.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `terminate-${suffix()}`;
const node = `terminate-node-${suffix()}`;

const terminate = (pod: string, raw: unknown = {}, d = deps, time: string | null = null) =>
  runActionner(kubernetesTerminate, raw, { ...podEvent(pod, namespace), time }, d);
const exists = async (pod: string) => (await statusOf(core.readNamespacedPod({ name: pod, namespace }))) === 200;
const podName = (pod: V1Pod) => pod.metadata?.name ?? '';

/** A pod of `kind`, running (Ready) on the KWOK node, so it counts as a healthy replica. */
async function runningPod(kind: OwnerKind, owner = `${kind.toLowerCase()}-${suffix()}`): Promise<{ pod: string; owner: string; ownerRef: string }> {
  const { pod } = await createOwnedPod(kube.kubeConfig, kind, { namespace, name: owner, nodeName: node });
  await waitReady(kube.kubeConfig, namespace, podName(pod));
  return { pod: podName(pod), owner, ownerRef: pod.metadata?.ownerReferences?.[0]?.name ?? '' };
}

async function standalonePod(nodeName?: string): Promise<string> {
  const name = `bare-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

describe('kubernetes:terminate parameters', () => {
  it('defaults as the reference: grace period 0, nothing ignored, no minimum', () => {
    expect(kubernetesTerminate.spec.params.parse({})).toEqual({
      grace_period_seconds: 0,
      ignore_daemonsets: false,
      ignore_statefulsets: false,
      ignore_standalone_pods: false,
    });
  });

  it('rejects unknown keys, string booleans and negative grace periods', () => {
    for (const bad of [{ force: true }, { ignore_daemonsets: 'true' }, { grace_period_seconds: -1 }, { min_healthy_replicas: 'half' }]) {
      expect(kubernetesTerminate.spec.params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('is registered, and its example loads as a rule', async () => {
    expect(await loadExample(kubernetesTerminate)).toMatchObject({
      actionner: 'kubernetes:terminate',
      parameters: { grace_period_seconds: 5, min_healthy_replicas: '33%' },
    });
  });

  it('declares what it calls and ends the rule by default', () => {
    expect(kubernetesTerminate.spec.defaultContinue).toBe(false);
    expect(kubernetesTerminate.spec.permissions.kubernetes?.[0]).toEqual({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] });
  });
});

describe('kubernetes:terminate on a real API server', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
    await createFakeNode(kube.kubeConfig, node);
  });
  afterAll(async () => {
    await core.deleteNode({ name: node });
  });

  it('deletes a ReplicaSet pod and reports the reference text', async () => {
    const { pod } = await runningPod('ReplicaSet');
    const result = await terminate(pod);
    expect(result).toEqual({ status: 'success', result: `the pod '${pod}' in the namespace '${namespace}' has been terminated`, objects: { pod, namespace } });
    // grace_period_seconds 0 removes the pod from the API at once.
    expect(await exists(pod)).toBe(false);
  });

  it('passes grace_period_seconds to DELETE: the pod lingers with that grace period', async () => {
    // Bound to a node without a kubelet, so nothing finishes the graceful deletion.
    const pod = await standalonePod('no-such-node');
    await terminate(pod, { grace_period_seconds: 120 });
    const after = await core.readNamespacedPod({ name: pod, namespace });
    expect(after.metadata?.deletionTimestamp).toBeDefined();
    expect(after.metadata?.deletionGracePeriodSeconds).toBe(120);
    await core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 });
  });

  it('is idempotent: a second run on a terminating pod succeeds and says it already was', async () => {
    const pod = await standalonePod('no-such-node');
    expect((await terminate(pod, { grace_period_seconds: 120 })).result).toBe(`the pod '${pod}' in the namespace '${namespace}' has been terminated`);
    const again = await terminate(pod, { grace_period_seconds: 120 });
    expect(again).toMatchObject({ status: 'success', result: `the pod '${pod}' in the namespace '${namespace}' was already being terminated` });
    expect((await core.readNamespacedPod({ name: pod, namespace })).metadata?.deletionGracePeriodSeconds).toBe(120);
    // Once it is gone, run (after checks that passed) reports it as already terminated.
    await core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 });
    const input = {
      event: podEvent(pod, namespace),
      context: {},
      parameters: kubernetesTerminate.spec.params.parse({}),
      rule: 'r',
      action: 'a',
      idempotencyKey: 'wf/0',
    };
    expect(await kubernetesTerminate.run(input, deps)).toMatchObject({
      status: 'success',
      result: `the pod '${pod}' in the namespace '${namespace}' was already terminated`,
    });
    // A retry (attempt 2) after an attempt that deleted the pod but whose completion was lost: the
    // checks let it through and the end state is reported; a first attempt still fails the check.
    const retry = { ...input, attempt: 2 };
    await expect(kubernetesTerminate.checks?.(retry, deps)).resolves.toBeUndefined();
    expect(await kubernetesTerminate.run(retry, deps)).toMatchObject({
      status: 'success',
      result: `the pod '${pod}' in the namespace '${namespace}' was already terminated`,
    });
    expect(await failureOf(kubernetesTerminate.checks?.(input, deps) ?? Promise.resolve())).toMatchObject({ type: 'PodNotFound', nonRetryable: true });
  });

  it('leaves a pod created after the event alone (a namesake replaced the pod the event saw): already terminated', async () => {
    const pod = await standalonePod(node);
    const created = (await core.readNamespacedPod({ name: pod, namespace })).metadata?.creationTimestamp;
    // Attempt 1 deleted the pod the event saw, its completion was lost, a namesake took the name.
    const event = { ...podEvent(pod, namespace), time: new Date(Date.now() - 60_000).toISOString() };
    const expected = {
      status: 'success',
      result: `the pod '${pod}' in the namespace '${namespace}' was already terminated; the pod of that name was created after the event (a replacement) and is left alone`,
      objects: { pod, namespace },
    };
    const retry = { ...actionInput(event, kubernetesTerminate.spec.params.parse({})), attempt: 2 };
    await kubernetesTerminate.checks?.(retry, deps);
    expect(await kubernetesTerminate.run(retry, deps)).toEqual(expected);
    const after = await core.readNamespacedPod({ name: pod, namespace });
    expect(after.metadata?.creationTimestamp).toEqual(created);
    expect(after.metadata?.deletionTimestamp).toBeUndefined();
    // A first attempt trusts its read (clocks of node and API server may differ a little): the pod goes.
    expect((await runActionner(kubernetesTerminate, {}, event, deps)).result).toBe(`the pod '${pod}' in the namespace '${namespace}' has been terminated`);
    expect(await exists(pod)).toBe(false);
  });

  it('recognises the API answer to a DELETE whose UID precondition no longer matches (a namesake replaced the pod)', async () => {
    const pod = await standalonePod();
    const error = await core
      .deleteNamespacedPod({ name: pod, namespace, body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } } })
      .catch((e: unknown) => e);
    expect(isUidConflict(error)).toBe(true);
    expect(await exists(pod)).toBe(true);
  });

  describe('skips, with status ignored and the reason (the reference said success)', () => {
    it('a DaemonSet pod with ignore_daemonsets; without it the pod goes', async () => {
      const { pod, owner } = await runningPod('DaemonSet');
      expect(await terminate(pod, { ignore_daemonsets: true })).toEqual({
        status: 'ignored',
        result: `the pod '${pod}' in the namespace '${namespace}' has not been terminated: it belongs to the DaemonSet '${owner}' and ignore_daemonsets is true`,
        objects: { pod, namespace },
      });
      expect(await exists(pod)).toBe(true);
      expect((await terminate(pod)).status).toBe('success');
      expect(await exists(pod)).toBe(false);
    });

    it('a StatefulSet pod with ignore_statefulsets; without it the pod goes', async () => {
      const { pod, owner } = await runningPod('StatefulSet');
      const result = await terminate(pod, { ignore_statefulsets: true, ignore_daemonsets: true });
      expect(result.status).toBe('ignored');
      expect(result.result).toContain(`it belongs to the StatefulSet '${owner}' and ignore_statefulsets is true`);
      expect(await exists(pod)).toBe(true);
      expect((await terminate(pod, { ignore_daemonsets: true })).status).toBe('success');
      expect(await exists(pod)).toBe(false);
    });

    it('a standalone pod with ignore_standalone_pods; without it the pod goes', async () => {
      const pod = await standalonePod(node);
      const result = await terminate(pod, { ignore_standalone_pods: true });
      expect(result).toMatchObject({
        status: 'ignored',
        result: `the pod '${pod}' in the namespace '${namespace}' has not been terminated: it has no owner and ignore_standalone_pods is true`,
      });
      expect(await exists(pod)).toBe(true);
      expect((await terminate(pod, { ignore_statefulsets: true })).status).toBe('success');
      expect(await exists(pod)).toBe(false);
    });

    it('min_healthy_replicas N: a ready pod goes only if N healthy replicas remain', async () => {
      const { pod, ownerRef } = await runningPod('ReplicaSet');
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, ownerRef, 3, 2);
      const held = await terminate(pod, { min_healthy_replicas: '2' });
      expect(held).toMatchObject({
        status: 'ignored',
        result: `the pod '${pod}' in the namespace '${namespace}' has not been terminated: its ReplicaSet '${ownerRef}' has 2 healthy replicas of 3 desired, terminating it would leave fewer than 2 (min_healthy_replicas: 2)`,
      });
      expect(await exists(pod)).toBe(true);
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, ownerRef, 3, 3);
      expect((await terminate(pod, { min_healthy_replicas: 2 })).status).toBe('success');
      expect(await exists(pod)).toBe(false);
    });

    it('min_healthy_replicas N%: a percentage of the DESIRED replicas, rounded up', async () => {
      const { pod, ownerRef } = await runningPod('ReplicaSet');
      // 50% of 4 desired = 2 must stay: with 2 ready, removing one leaves 1.
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, ownerRef, 4, 2);
      const held = await terminate(pod, { min_healthy_replicas: '50%' });
      expect(held.status).toBe('ignored');
      expect(held.result).toContain('has 2 healthy replicas of 4 desired, terminating it would leave fewer than 2 (min_healthy_replicas: 50%)');
      expect(await exists(pod)).toBe(true);
      // With 3 ready, one may go. (The reference compared the ready count with 50 and never terminated.)
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, ownerRef, 4, 3);
      expect((await terminate(pod, { min_healthy_replicas: '50%' })).status).toBe('success');
      expect(await exists(pod)).toBe(false);
    });

    it('min_healthy_replicas applies to a Deployment pod through its ReplicaSet, and to StatefulSets', async () => {
      const deploy = await runningPod('Deployment');
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, deploy.ownerRef, 2, 1);
      expect((await terminate(deploy.pod, { min_healthy_replicas: '1' })).result).toContain(`its ReplicaSet '${deploy.ownerRef}' has 1 healthy replicas`);
      const sts = await runningPod('StatefulSet');
      await setReplicas(kube.kubeConfig, 'StatefulSet', namespace, sts.owner, 3, 1);
      expect((await terminate(sts.pod, { min_healthy_replicas: '34%' })).result).toContain(
        `its StatefulSet '${sts.owner}' has 1 healthy replicas of 3 desired`,
      );
      expect(await exists(deploy.pod)).toBe(true);
      expect(await exists(sts.pod)).toBe(true);
    });

    it('min_healthy_replicas does not hold back a pod that is not ready (it is not a healthy replica)', async () => {
      const { pod, owners } = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: `pending-${suffix()}` });
      await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, owners[0]?.name ?? '', 3, 1);
      expect((await terminate(podName(pod), { min_healthy_replicas: '3' })).status).toBe('success');
    });
  });

  it('min_healthy_replicas: a pod whose owner no longer exists is not held back (no replicas to protect)', async () => {
    const { pod, ownerRef } = await runningPod('ReplicaSet');
    // No garbage collector runs: the pod outlives its ReplicaSet.
    await kube.kubeConfig.makeApiClient(AppsV1Api).deleteNamespacedReplicaSet({ name: ownerRef, namespace });
    expect(await terminate(pod, { min_healthy_replicas: '1' })).toMatchObject({
      status: 'success',
      result: `the pod '${pod}' in the namespace '${namespace}' has been terminated`,
    });
    expect(await exists(pod)).toBe(false);
  });

  it('fails the checks with PodNotFound (permanent) and the reference text when the pod does not exist', async () => {
    const failure = await failureOf(terminate('ghost'));
    expect(failure).toMatchObject({ type: 'PodNotFound', nonRetryable: true, message: `the pod 'ghost' in the namespace '${namespace}' doesn't exist` });
  });

  it('fails with MissingPodName when the event names no pod', async () => {
    const event = { ...podEvent('x', namespace), output_fields: { 'k8s.ns.name': namespace } };
    expect(await failureOf(runActionner(kubernetesTerminate, {}, event, deps))).toMatchObject({
      type: 'MissingPodName',
      message: 'missing pod name',
      nonRetryable: true,
    });
  });

  it('fails with Forbidden (permanent) naming the verb when the service account may not delete pods', async () => {
    const { pod } = await runningPod('ReplicaSet');
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const failure = await failureOf(terminate(pod, {}, depsFor(kubeconfig)));
    expect(failure.type).toBe('Forbidden');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain("missing RBAC permission 'delete' on 'pods'");
    expect(await exists(pod)).toBe(true);
  });

  it('works with exactly its declared permissions, min_healthy_replicas included', async () => {
    const { pod, ownerRef } = await runningPod('ReplicaSet');
    await setReplicas(kube.kubeConfig, 'ReplicaSet', namespace, ownerRef, 2, 2);
    const kubeconfig = await serviceAccountWith(kube, namespace, kubernetesTerminate.spec.permissions);
    expect((await terminate(pod, { min_healthy_replicas: '50%' }, depsFor(kubeconfig))).status).toBe('success');
    expect(await exists(pod)).toBe(false);
  });
});

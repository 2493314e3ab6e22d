import { randomBytes } from 'node:crypto';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFakeNode, createOwnedPod, kubeconfigForServiceAccount, testKube, waitUntil } from '../support/kube.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const namespace = `smoke-${randomBytes(3).toString('hex')}`;
const node = `kwok-${namespace}`;

/** The HTTP status of a failed call, so assertions read as `403` rather than as exception shapes. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe('the test Kubernetes control plane', () => {
  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    if (kube.kwok) await createFakeNode(kube.kubeConfig, node);
  });

  it('labels a new namespace with kubernetes.io/metadata.name, as NetworkPolicies rely on', async () => {
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe(namespace);
  });

  it('creates a ReplicaSet and a pod it owns; KWOK runs the pod on a fake node', async () => {
    const { pod, owners } = await createOwnedPod(kube.kubeConfig, 'ReplicaSet', { namespace, name: 'web', nodeName: kube.kwok ? node : undefined });
    const rs = await kube.kubeConfig.makeApiClient(AppsV1Api).readNamespacedReplicaSet({ namespace, name: 'web' });
    expect(pod.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true })]);
    expect(owners).toHaveLength(1);
    if (!kube.kwok) return;
    const name = pod.metadata?.name ?? '';
    await waitUntil(`pod ${name} Running`, async () => (await core.readNamespacedPod({ namespace, name })).status?.phase === 'Running', undefined, 30_000);
  });

  it('chains Deployment → ReplicaSet → pod ownerReferences like the controllers do', async () => {
    const { pod, owners } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'api' });
    expect(owners.map((o) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
    expect(pod.metadata?.ownerReferences?.[0]?.name).toMatch(/^api-[0-9a-f]{10}$/);
  });

  it('labels a pod with a JSON patch and with a merge patch, each chosen by Content-Type', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'StatefulSet', { namespace, name: 'db' });
    const name = pod.metadata?.name ?? '';
    // client-node 1.x sends application/json-patch+json by default; set it anyway so intent is visible.
    await core.patchNamespacedPod(
      { namespace, name, body: [{ op: 'add', path: '/metadata/labels/quarantine', value: 'true' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    // A merge patch needs the header: with the default type this object body would be rejected (it is not a JSON patch array).
    const patched = await core.patchNamespacedPod(
      { namespace, name, body: { metadata: { labels: { 'falco.org/rule': 'shell-in-container' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toMatchObject({ app: 'db', quarantine: 'true', 'falco.org/rule': 'shell-in-container' });
  });

  it('deletes a pod; on a KWOK node it lingers Terminating until the simulated kubelet finishes it', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'DaemonSet', { namespace, name: 'agent', nodeName: kube.kwok ? node : undefined });
    const name = pod.metadata?.name ?? '';
    const deleted = await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 5 });
    // A bound pod is only marked for deletion; the kubelet (here KWOK) removes it.
    if (kube.kwok) expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    await waitUntil(`pod ${name} gone`, async () => (await statusOf(core.readNamespacedPod({ namespace, name }))) === 404, undefined, 30_000);
  });

  it('enforces RBAC: a bare service account gets 403 on get pods, 200 once a Role grants get/list', async () => {
    const sa = await kubeconfigForServiceAccount(kube, namespace, 'talon');
    const asSa = sa.kubeConfig.makeApiClient(CoreV1Api);
    expect(await statusOf(asSa.listNamespacedPod({ namespace }))).toBe(403);
    const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'talon-pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'talon', namespace }],
      },
    });
    // RBAC reads bindings from an informer: allow a moment for the new binding to arrive.
    await waitUntil('the RoleBinding to take effect', async () => (await statusOf(asSa.listNamespacedPod({ namespace }))) === 200, undefined, 10_000);
    expect(await statusOf(asSa.deleteCollectionNamespacedPod({ namespace }))).toBe(403);
  });
});

import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDelete } from '../../../activities/kubernetes/delete.ts';
import type { FalcoEvent } from '../../../src/contract/index.ts';
import { testKube } from '../../support/kube.ts';
import { loadExample, runActionner, statusOf } from './k1-support.ts';
import { actionInput, createNamespace, depsFor, failureOf, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const apps = kube.kubeConfig.makeApiClient(AppsV1Api);
const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `delete-${suffix()}`;

/** A Kubernetes audit event about `resource/name` (Falco's k8s_audit fields). */
function auditEvent(fields: { resource?: string; name?: string; namespace?: string }): FalcoEvent {
  const output_fields: Record<string, string> = {};
  if (fields.resource !== undefined) output_fields['ka.target.resource'] = fields.resource;
  if (fields.name !== undefined) output_fields['ka.target.name'] = fields.name;
  if (fields.namespace !== undefined) output_fields['ka.target.namespace'] = fields.namespace;
  return {
    output: 'K8s object created',
    priority: 'Warning',
    rule: 'Create Sensitive Mount Pod',
    hostname: '',
    time: null,
    source: 'k8s_audit',
    output_fields,
    tags: [],
  };
}

const remove = (resource: string, name: string, ns = namespace, d = deps) =>
  runActionner(kubernetesDelete, {}, auditEvent({ resource, name, namespace: ns }), d);

const labels = { app: 'x' };
const podTemplate = { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } };
const workload = { selector: { matchLabels: labels }, template: podTemplate };

/** For each supported resource: create one named `name`, and read it back (rejects with 404 once gone). */
const kinds: Record<string, { create(name: string): Promise<unknown>; read(name: string): Promise<{ metadata?: { deletionTimestamp?: Date } }> }> = {
  configmaps: {
    create: (name) => core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { a: 'b' } } }),
    read: (name) => core.readNamespacedConfigMap({ name, namespace }),
  },
  secrets: {
    create: (name) => core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { a: 'b' } } }),
    read: (name) => core.readNamespacedSecret({ name, namespace }),
  },
  services: {
    create: (name) => core.createNamespacedService({ namespace, body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } }),
    read: (name) => core.readNamespacedService({ name, namespace }),
  },
  serviceaccounts: {
    create: (name) => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }),
    read: (name) => core.readNamespacedServiceAccount({ name, namespace }),
  },
  deployments: {
    create: (name) => apps.createNamespacedDeployment({ namespace, body: { metadata: { name }, spec: workload } }),
    read: (name) => apps.readNamespacedDeployment({ name, namespace }),
  },
  daemonsets: {
    create: (name) => apps.createNamespacedDaemonSet({ namespace, body: { metadata: { name }, spec: workload } }),
    read: (name) => apps.readNamespacedDaemonSet({ name, namespace }),
  },
  statefulsets: {
    create: (name) => apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name }, spec: { ...workload, serviceName: name } } }),
    read: (name) => apps.readNamespacedStatefulSet({ name, namespace }),
  },
  replicasets: {
    create: (name) => apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name }, spec: workload } }),
    read: (name) => apps.readNamespacedReplicaSet({ name, namespace }),
  },
  roles: {
    create: (name) => rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules: [] } }),
    read: (name) => rbac.readNamespacedRole({ name, namespace }),
  },
  clusterroles: { create: (name) => rbac.createClusterRole({ body: { metadata: { name }, rules: [] } }), read: (name) => rbac.readClusterRole({ name }) },
  namespaces: { create: (name) => core.createNamespace({ body: { metadata: { name } } }), read: (name) => core.readNamespace({ name }) },
};

describe('kubernetes:delete', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
  });

  it('is registered, and its example loads as a rule', async () => {
    expect(await loadExample(kubernetesDelete)).toMatchObject({ actionner: 'kubernetes:delete' });
  });

  it('takes no parameters and ends the rule by default', () => {
    expect(kubernetesDelete.spec.params.safeParse({ force: true }).success).toBe(false);
    expect(kubernetesDelete.spec.defaultContinue).toBe(false);
  });

  it.each(['configmaps', 'secrets', 'services', 'serviceaccounts', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'roles'])(
    'deletes %s named by ka.target.*, with the reference text and objects',
    async (resource) => {
      const kind = kinds[resource]!;
      const name = `victim-${suffix()}`;
      await kind.create(name);
      const result = await remove(resource, name);
      expect(result).toEqual({
        status: 'success',
        result: `the ${resource.replace(/s$/, '')} '${name}' in the namespace '${namespace}' has been deleted`,
        objects: { name, resource, namespace },
      });
      expect(await statusOf(kind.read(name))).toBe(404);
    },
  );

  it('deletes a ClusterRole without needing ka.target.namespace, and says so without a namespace', async () => {
    const name = `victim-${suffix()}`;
    await kinds.clusterroles!.create(name);
    const result = await runActionner(kubernetesDelete, {}, auditEvent({ resource: 'clusterroles', name }), deps);
    expect(result).toEqual({
      status: 'success',
      result: `the clusterrole '${name}' has been deleted`,
      objects: { name, resource: 'clusterroles', namespace: '' },
    });
    expect(await statusOf(rbac.readClusterRole({ name }))).toBe(404);
  });

  it('deletes a namespace; a second run sees it terminating and says it is already being deleted', async () => {
    const name = `victim-${suffix()}`;
    await kinds.namespaces!.create(name);
    const event = auditEvent({ resource: 'namespaces', name, namespace: name });
    expect(await runActionner(kubernetesDelete, {}, event, deps)).toMatchObject({ status: 'success', result: `the namespace '${name}' has been deleted` });
    // No namespace controller runs here, so the namespace stays Terminating: deleted, not yet gone.
    expect((await core.readNamespace({ name })).metadata?.deletionTimestamp).toBeDefined();
    expect(await runActionner(kubernetesDelete, {}, event, deps)).toMatchObject({
      status: 'success',
      result: `the namespace '${name}' is already being deleted`,
    });
  });

  it('is idempotent: run again after the object is gone reports it as already deleted (the checks passed in that attempt)', async () => {
    const name = `victim-${suffix()}`;
    await kinds.configmaps!.create(name);
    const input = actionInput(auditEvent({ resource: 'configmaps', name, namespace }), {});
    await kubernetesDelete.checks?.(input, deps);
    expect((await kubernetesDelete.run(input, deps)).result).toBe(`the configmap '${name}' in the namespace '${namespace}' has been deleted`);
    expect(await kubernetesDelete.run(input, deps)).toMatchObject({
      status: 'success',
      result: `the configmap '${name}' in the namespace '${namespace}' was already deleted`,
    });
    // A retry after an attempt whose completion was lost passes the checks and reports the end state.
    await expect(kubernetesDelete.checks?.({ ...input, attempt: 2 }, deps)).resolves.toBeUndefined();
    expect(await failureOf(kubernetesDelete.checks?.(input, deps) ?? Promise.resolve())).toMatchObject({ type: 'TargetNotFound', nonRetryable: true });
  });

  describe('the "target exists" checks (reference §1.4)', () => {
    const checkFailure = (event: FalcoEvent) => failureOf(runActionner(kubernetesDelete, {}, event, deps));

    it('requires ka.target.resource, ka.target.name and (for namespaced resources) ka.target.namespace', async () => {
      expect(await checkFailure(auditEvent({ name: 'x', namespace }))).toMatchObject({
        type: 'MissingTargetResource',
        message: 'missing target resource (ka.target.resource)',
        nonRetryable: true,
      });
      expect(await checkFailure(auditEvent({ resource: 'secrets', namespace }))).toMatchObject({
        type: 'MissingTargetName',
        message: 'missing target name (ka.target.name)',
      });
      expect(await checkFailure(auditEvent({ resource: 'secrets', name: 'x' }))).toMatchObject({
        type: 'MissingTargetNamespace',
        message: 'missing target namespace (ka.target.namespace)',
      });
    });

    it('rejects resources it does not manage', async () => {
      expect(await checkFailure(auditEvent({ resource: 'pods', name: 'x', namespace }))).toMatchObject({
        type: 'UnsupportedResource',
        nonRetryable: true,
        message: "the resource doesn't exist or its type is not yet managed",
      });
      // Names of Object.prototype members are not resources either.
      for (const resource of ['constructor', 'toString', '__proto__']) {
        expect(await checkFailure(auditEvent({ resource, name: 'x', namespace }))).toMatchObject({ type: 'UnsupportedResource', nonRetryable: true });
      }
    });

    it('fails with TargetNotFound (permanent) and the reference text when the object does not exist', async () => {
      expect(await checkFailure(auditEvent({ resource: 'configmaps', name: 'ghost', namespace }))).toMatchObject({
        type: 'TargetNotFound',
        nonRetryable: true,
        message: `the configmap 'ghost' in the namespace '${namespace}' doesn't exist`,
      });
      expect(await checkFailure(auditEvent({ resource: 'namespaces', name: `ghost-${suffix()}` }))).toMatchObject({
        type: 'TargetNotFound',
        message: expect.stringMatching(/^the namespace 'ghost-\w+' doesn't exist$/),
      });
    });

    it('finds a DaemonSet as a DaemonSet (the reference looked it up as a Deployment)', async () => {
      const name = `ds-${suffix()}`;
      await kinds.daemonsets!.create(name);
      const input = actionInput(auditEvent({ resource: 'daemonsets', name, namespace }), {});
      await expect(kubernetesDelete.checks?.(input, deps)).resolves.toBeUndefined();
    });
  });

  it('fails with Forbidden (permanent) naming the verb when the service account may read but not delete', async () => {
    const name = `victim-${suffix()}`;
    await kinds.secrets!.create(name);
    const kubeconfig = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
    const failure = await failureOf(remove('secrets', name, namespace, depsFor(kubeconfig)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'delete' on 'secrets'");
    expect(await statusOf(core.readNamespacedSecret({ name, namespace }))).toBe(200);
  });

  it('declares get+delete on exactly the supported resources, and works with only that', async () => {
    const declared = kubernetesDelete.spec.permissions.kubernetes ?? [];
    expect(declared.flatMap((r) => r.resources).sort()).toEqual(Object.keys(kinds).sort());
    expect(declared.every((r) => r.verbs.join() === 'get,delete')).toBe(true);
    const kubeconfig = await serviceAccountWith(kube, namespace, kubernetesDelete.spec.permissions);
    const name = `victim-${suffix()}`;
    await kinds.roles!.create(name);
    expect((await remove('roles', name, namespace, depsFor(kubeconfig))).status).toBe('success');
    expect(await statusOf(rbac.readNamespacedRole({ name, namespace }))).toBe(404);
  });
});

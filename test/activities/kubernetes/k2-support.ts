/**
 * Helpers for the label/annotation/networkpolicy/k8snode/k8sevents tests: an event about a pod,
 * Deps pointing at the run's control plane, and a service account holding exactly a descriptor's
 * declared permissions (so "least privilege" is proven, not assumed).
 */
import { randomBytes } from 'node:crypto';
import { AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { createClients } from '../../../activities/clients.ts';
import type { ActionInput, Deps } from '../../../activities/types.ts';
import { configSchema } from '../../../src/config/schema.ts';
import type { FalcoEvent, Permissions } from '../../../src/contract/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { kubeconfigForServiceAccount, waitUntil, type KubeAdmin } from '../../support/kube.ts';

export const suffix = () => randomBytes(3).toString('hex');

export function depsFor(kubeconfigPath: string): Deps {
  const config = configSchema.parse({ kubeconfig: kubeconfigPath });
  return { config, log: silentLogger, clients: createClients(config) };
}

/** A Falco syscall alert about `namespace/pod`, as Falco's k8s fields name it. */
export function podEvent(pod: string, namespace: string): FalcoEvent {
  return {
    output: `A shell was spawned in a container (pod=${pod} ns=${namespace})`,
    priority: 'Warning',
    rule: 'Terminal shell in container',
    hostname: 'node-1',
    time: null,
    source: 'syscall',
    output_fields: { 'k8s.pod.name': pod, 'k8s.ns.name': namespace, 'proc.name': 'bash' },
    tags: [],
  };
}

export function actionInput<P>(event: FalcoEvent, parameters: P): ActionInput<P> {
  return { event, context: {}, parameters, rule: 'r', action: 'a', idempotencyKey: `wf-${suffix()}/0` };
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

/** A plain Node object (no kubelet needed: these actionners only read and patch it). */
export async function createNode(kc: KubeConfig, name: string, labels: Record<string, string> = {}, providerID?: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNode({ body: { metadata: { name, labels }, spec: { providerID } } });
}

/**
 * A fresh service account bound (cluster-wide) to a ClusterRole built from `permissions`, or to no
 * role at all when `permissions` is empty. Waits until the authorizer sees the binding.
 */
export async function serviceAccountWith(admin: KubeAdmin, namespace: string, permissions: Permissions): Promise<string> {
  const name = `talon-${suffix()}`;
  const sa = await kubeconfigForServiceAccount(admin, namespace, name);
  const rules = (permissions.kubernetes ?? []).map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
  if (rules.length === 0) return sa.kubeconfigPath;
  const rbac = admin.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({ body: { metadata: { name }, rules } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const first = rules[0];
  await waitUntil(
    `RBAC for ${name}`,
    async () => {
      const review = await admin.kubeConfig.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${namespace}:${name}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
            resourceAttributes: { group: first?.apiGroups[0], resource: first?.resources[0], verb: first?.verbs[0], namespace },
          },
        },
      });
      return review.status?.allowed === true;
    },
    undefined,
    10_000,
  );
  return sa.kubeconfigPath;
}

/** The ApplicationFailure a promise rejects with (fails the test if it resolves or throws something else). */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

import { RbacAuthorizationV1Api, type V1ObjectMeta } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { targetName, targetNamespace, targetResource } from '../../src/events/fields.ts';
import type { FalcoEvent } from '../../src/events/types.ts';
import { permanent } from '../errors.ts';
import type { ActionnerDescriptor } from '../types.ts';
import { isNotFound, kubeApis, kubeFailure, type KubeApis, type KubeRequest } from './client.ts';

interface Target {
  readonly kind: string;
  readonly group: string;
  /** Cluster-scoped (namespaces, clusterroles): no namespace needed, none in the messages. */
  readonly clusterScoped?: boolean;
  read(apis: TargetApis, name: string, namespace: string): Promise<{ metadata?: V1ObjectMeta }>;
  remove(apis: TargetApis, name: string, namespace: string): Promise<unknown>;
}

interface TargetApis extends KubeApis {
  readonly rbac: RbacAuthorizationV1Api;
}

/** The resources `ka.target.resource` may name (reference §1.4), with their typed calls. */
const targets: { readonly [resource: string]: Target } = {
  namespaces: { kind: 'Namespace', group: '', clusterScoped: true, read: (a, name) => a.core.readNamespace({ name }), remove: (a, name) => a.core.deleteNamespace({ name }) },
  configmaps: { kind: 'ConfigMap', group: '', read: (a, name, namespace) => a.core.readNamespacedConfigMap({ name, namespace }), remove: (a, name, namespace) => a.core.deleteNamespacedConfigMap({ name, namespace }) },
  secrets: { kind: 'Secret', group: '', read: (a, name, namespace) => a.core.readNamespacedSecret({ name, namespace }), remove: (a, name, namespace) => a.core.deleteNamespacedSecret({ name, namespace }) },
  services: { kind: 'Service', group: '', read: (a, name, namespace) => a.core.readNamespacedService({ name, namespace }), remove: (a, name, namespace) => a.core.deleteNamespacedService({ name, namespace }) },
  serviceaccounts: { kind: 'ServiceAccount', group: '', read: (a, name, namespace) => a.core.readNamespacedServiceAccount({ name, namespace }), remove: (a, name, namespace) => a.core.deleteNamespacedServiceAccount({ name, namespace }) },
  deployments: { kind: 'Deployment', group: 'apps', read: (a, name, namespace) => a.apps.readNamespacedDeployment({ name, namespace }), remove: (a, name, namespace) => a.apps.deleteNamespacedDeployment({ name, namespace }) },
  daemonsets: { kind: 'DaemonSet', group: 'apps', read: (a, name, namespace) => a.apps.readNamespacedDaemonSet({ name, namespace }), remove: (a, name, namespace) => a.apps.deleteNamespacedDaemonSet({ name, namespace }) },
  statefulsets: { kind: 'StatefulSet', group: 'apps', read: (a, name, namespace) => a.apps.readNamespacedStatefulSet({ name, namespace }), remove: (a, name, namespace) => a.apps.deleteNamespacedStatefulSet({ name, namespace }) },
  replicasets: { kind: 'ReplicaSet', group: 'apps', read: (a, name, namespace) => a.apps.readNamespacedReplicaSet({ name, namespace }), remove: (a, name, namespace) => a.apps.deleteNamespacedReplicaSet({ name, namespace }) },
  roles: { kind: 'Role', group: 'rbac.authorization.k8s.io', read: (a, name, namespace) => a.rbac.readNamespacedRole({ name, namespace }), remove: (a, name, namespace) => a.rbac.deleteNamespacedRole({ name, namespace }) },
  clusterroles: { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', clusterScoped: true, read: (a, name) => a.rbac.readClusterRole({ name }), remove: (a, name) => a.rbac.deleteClusterRole({ name }) },
};

/** apiVersion and kind of a resource this actionner deletes (k8sevents records events about it), or undefined if unsupported. */
export function deletableKind(resource: string): { apiVersion: string; kind: string; clusterScoped: boolean } | undefined {
  const target = Object.hasOwn(targets, resource) ? targets[resource] : undefined;
  if (!target) return undefined;
  return { apiVersion: target.group ? `${target.group}/v1` : 'v1', kind: target.kind, clusterScoped: target.clusterScoped === true };
}

const rbacApis = new WeakMap<KubeApis, TargetApis>();
function targetApis(apis: KubeApis): TargetApis {
  let extended = rbacApis.get(apis);
  if (!extended) {
    extended = { ...apis, rbac: apis.kubeConfig.makeApiClient(RbacAuthorizationV1Api) };
    rbacApis.set(apis, extended);
  }
  return extended;
}

interface ResolvedTarget {
  readonly resource: string;
  readonly name: string;
  readonly namespace: string;
  readonly target: Target;
  /** `the configmap 'x' in the namespace 'y'`, `the namespace 'x'`. */
  readonly subject: string;
}

/** The "target exists" field checks (reference §1.4), before any API call. */
function resolveTarget(event: FalcoEvent): ResolvedTarget {
  const resource = targetResource(event);
  if (resource === '') throw permanent('MissingTargetResource', 'missing target resource (ka.target.resource)');
  const name = targetName(event);
  if (name === '') throw permanent('MissingTargetName', 'missing target name (ka.target.name)');
  const target = Object.hasOwn(targets, resource) ? targets[resource] : undefined;
  const namespace = targetNamespace(event);
  if (!target?.clusterScoped && namespace === '') throw permanent('MissingTargetNamespace', 'missing target namespace (ka.target.namespace)');
  if (!target) throw permanent('UnsupportedResource', "the resource doesn't exist or its type is not yet managed");
  const kind = resource.replace(/s$/, '');
  const subject = target.clusterScoped ? `the ${kind} '${name}'` : `the ${kind} '${name}' in the namespace '${namespace}'`;
  return { resource, name, namespace, target, subject };
}

function requestOf(t: ResolvedTarget, verb: string): KubeRequest {
  return { verb, resource: t.resource, name: t.name, namespace: t.target.clusterScoped ? undefined : t.namespace };
}

/** The "target exists" check: GET it; a 404 gets the reference's text. */
async function readTarget(apis: TargetApis, t: ResolvedTarget): Promise<void> {
  try {
    await t.target.read(apis, t.name, t.namespace);
  } catch (error) {
    if (isNotFound(error)) throw permanent('TargetNotFound', `${t.subject} doesn't exist`);
    throw kubeFailure(error, requestOf(t, 'get'));
  }
}

const params = z.object({}).strict();
export type DeleteParams = z.output<typeof params>;

const verbs = ['get', 'delete'];
const byGroup = new Map<string, string[]>();
for (const [resource, target] of Object.entries(targets)) byGroup.set(target.group, [...(byGroup.get(target.group) ?? []), resource]);

/** `kubernetes:delete`: deletes the Kubernetes object an audit event names (`ka.target.*`). */
export const kubernetesDelete: ActionnerDescriptor<DeleteParams> = {
  name: 'kubernetes:delete',
  category: 'kubernetes',
  description: 'Delete the resource named by the event (ka.target.resource, ka.target.name, ka.target.namespace)',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: false,
  usesContext: false,
  permissions: { kubernetes: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs })) },
  timeout: '30s',
  example: `- action: Delete the suspicious resource
  actionner: kubernetes:delete
`,
  async checks({ event, attempt = 1 }, deps) {
    try {
      await readTarget(targetApis(kubeApis(deps.config)), resolveTarget(event));
    } catch (error) {
      // A retry may find the target deleted by an earlier attempt whose completion was lost: run()
      // reports that end state instead of failing as "doesn't exist".
      if (attempt > 1 && error instanceof ApplicationFailure && error.type === 'TargetNotFound') return;
      throw error;
    }
  },
  async run({ event }, deps) {
    const apis = targetApis(kubeApis(deps.config));
    const t = resolveTarget(event);
    const objects = { name: t.name, resource: t.resource, namespace: targetNamespace(event) };
    // A namespace (or an object with finalizers) lingers while it is being deleted: say so rather
    // than claim a second deletion.
    let current: { metadata?: V1ObjectMeta };
    try {
      current = await t.target.read(apis, t.name, t.namespace);
    } catch (error) {
      // Gone since the check (another attempt, a user): the end state holds.
      if (isNotFound(error)) return { status: 'success', result: `${t.subject} was already deleted`, objects };
      throw kubeFailure(error, requestOf(t, 'get'));
    }
    if (current.metadata?.deletionTimestamp) return { status: 'success', result: `${t.subject} is already being deleted`, objects };
    try {
      await t.target.remove(apis, t.name, t.namespace);
    } catch (error) {
      if (isNotFound(error)) return { status: 'success', result: `${t.subject} was already deleted`, objects };
      throw kubeFailure(error, requestOf(t, 'delete'));
    }
    return { status: 'success', result: `${t.subject} has been deleted`, objects };
  },
};

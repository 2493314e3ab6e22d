import type { V1ObjectMeta } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { targetName, targetNamespace, targetResource } from '../../src/events/fields.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { permanent } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { isNotFound, kubeFailure, type KubeApis, type KubeRequest } from './client.ts';
import { deletableKinds, kubernetesDeleteSpec, type DeletableKind, type DeleteParams } from './delete.spec.ts';

interface Target extends DeletableKind {
  read(apis: KubeApis, name: string, namespace: string): Promise<{ metadata?: V1ObjectMeta }>;
  remove(apis: KubeApis, name: string, namespace: string): Promise<unknown>;
}

type Calls = Pick<Target, 'read' | 'remove'>;

/** The typed calls of each resource in {@link deletableKinds}. */
const calls: { readonly [resource: string]: Calls } = {
  namespaces: { read: (a, name) => a.core.readNamespace({ name }), remove: (a, name) => a.core.deleteNamespace({ name }) },
  configmaps: {
    read: (a, name, namespace) => a.core.readNamespacedConfigMap({ name, namespace }),
    remove: (a, name, namespace) => a.core.deleteNamespacedConfigMap({ name, namespace }),
  },
  secrets: {
    read: (a, name, namespace) => a.core.readNamespacedSecret({ name, namespace }),
    remove: (a, name, namespace) => a.core.deleteNamespacedSecret({ name, namespace }),
  },
  services: {
    read: (a, name, namespace) => a.core.readNamespacedService({ name, namespace }),
    remove: (a, name, namespace) => a.core.deleteNamespacedService({ name, namespace }),
  },
  serviceaccounts: {
    read: (a, name, namespace) => a.core.readNamespacedServiceAccount({ name, namespace }),
    remove: (a, name, namespace) => a.core.deleteNamespacedServiceAccount({ name, namespace }),
  },
  deployments: {
    read: (a, name, namespace) => a.apps.readNamespacedDeployment({ name, namespace }),
    remove: (a, name, namespace) => a.apps.deleteNamespacedDeployment({ name, namespace }),
  },
  daemonsets: {
    read: (a, name, namespace) => a.apps.readNamespacedDaemonSet({ name, namespace }),
    remove: (a, name, namespace) => a.apps.deleteNamespacedDaemonSet({ name, namespace }),
  },
  statefulsets: {
    read: (a, name, namespace) => a.apps.readNamespacedStatefulSet({ name, namespace }),
    remove: (a, name, namespace) => a.apps.deleteNamespacedStatefulSet({ name, namespace }),
  },
  replicasets: {
    read: (a, name, namespace) => a.apps.readNamespacedReplicaSet({ name, namespace }),
    remove: (a, name, namespace) => a.apps.deleteNamespacedReplicaSet({ name, namespace }),
  },
  roles: {
    read: (a, name, namespace) => a.rbac.readNamespacedRole({ name, namespace }),
    remove: (a, name, namespace) => a.rbac.deleteNamespacedRole({ name, namespace }),
  },
  clusterroles: { read: (a, name) => a.rbac.readClusterRole({ name }), remove: (a, name) => a.rbac.deleteClusterRole({ name }) },
};

/** The target of `resource` with its calls, or undefined when the actionner does not delete it. */
function targetOf(resource: string): Target | undefined {
  const kind = Object.hasOwn(deletableKinds, resource) ? deletableKinds[resource] : undefined;
  const call = Object.hasOwn(calls, resource) ? calls[resource] : undefined;
  return kind && call ? { ...kind, ...call } : undefined;
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
  const target = targetOf(resource);
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
async function readTarget(apis: KubeApis, t: ResolvedTarget): Promise<void> {
  try {
    await t.target.read(apis, t.name, t.namespace);
  } catch (error) {
    if (isNotFound(error)) throw permanent('TargetNotFound', `${t.subject} doesn't exist`);
    throw kubeFailure(error, requestOf(t, 'get'));
  }
}

/** `kubernetes:delete`: deletes the Kubernetes object an audit event names (`ka.target.*`). */
export const kubernetesDelete: ActionnerImplementation<DeleteParams> = {
  spec: kubernetesDeleteSpec,
  async checks({ event, attempt = 1 }, deps) {
    try {
      await readTarget(await deps.clients.kubernetes(), resolveTarget(event));
    } catch (error) {
      // A retry may find the target deleted by an earlier attempt whose completion was lost: run()
      // reports that end state instead of failing as "doesn't exist".
      if (attempt > 1 && error instanceof ApplicationFailure && error.type === 'TargetNotFound') return;
      throw error;
    }
  },
  async run({ event }, deps) {
    const apis = await deps.clients.kubernetes();
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

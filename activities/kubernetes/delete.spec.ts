import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

/** A resource `ka.target.resource` may name (reference §1.4). */
export interface DeletableKind {
  readonly kind: string;
  readonly group: string;
  /** Cluster-scoped (namespaces, clusterroles): no namespace needed, none in the messages. */
  readonly clusterScoped?: boolean;
}

/** What kubernetes:delete deletes, by plural resource; its permissions derive from this table. */
export const deletableKinds: { readonly [resource: string]: DeletableKind } = {
  namespaces: { kind: 'Namespace', group: '', clusterScoped: true },
  configmaps: { kind: 'ConfigMap', group: '' },
  secrets: { kind: 'Secret', group: '' },
  services: { kind: 'Service', group: '' },
  serviceaccounts: { kind: 'ServiceAccount', group: '' },
  deployments: { kind: 'Deployment', group: 'apps' },
  daemonsets: { kind: 'DaemonSet', group: 'apps' },
  statefulsets: { kind: 'StatefulSet', group: 'apps' },
  replicasets: { kind: 'ReplicaSet', group: 'apps' },
  roles: { kind: 'Role', group: 'rbac.authorization.k8s.io' },
  clusterroles: { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', clusterScoped: true },
};

/** apiVersion and kind of a resource this actionner deletes (k8sevents records events about it), or undefined if unsupported. */
export function deletableKind(resource: string): { apiVersion: string; kind: string; clusterScoped: boolean } | undefined {
  const target = Object.hasOwn(deletableKinds, resource) ? deletableKinds[resource] : undefined;
  if (!target) return undefined;
  return { apiVersion: target.group ? `${target.group}/v1` : 'v1', kind: target.kind, clusterScoped: target.clusterScoped === true };
}

const params = z.object({}).strict();
export type DeleteParams = z.output<typeof params>;

const verbs = ['get', 'delete'];
const byGroup = new Map<string, string[]>();
for (const [resource, target] of Object.entries(deletableKinds)) byGroup.set(target.group, [...(byGroup.get(target.group) ?? []), resource]);

/** `kubernetes:delete`: deletes the Kubernetes object an audit event names (`ka.target.*`). */
export const kubernetesDeleteSpec: ActionnerSpec<DeleteParams> = {
  name: 'kubernetes:delete',
  category: 'kubernetes',
  description: 'Delete the resource named by the event (ka.target.resource, ka.target.name, ka.target.namespace)',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: false,
  usesContext: false,
  rerun: 'Safe: a target already gone is reported `was already deleted`; one being deleted, `is already being deleted`.',
  permissions: { kubernetes: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs })) },
  timeout: '30s',
  example: `- action: Delete the suspicious resource
  actionner: kubernetes:delete
`,
};

import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Node,
  type V1OwnerReference,
  type V1Pod,
  type V1PodSpec,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { KWOK_NODE_ANNOTATION } from './kwok.ts';
import { waitUntil } from './proc.ts';

/** Workload kinds that own pods in a real cluster (Deployment via its ReplicaSet). */
export type OwnerKind = 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface OwnedPodOptions {
  namespace: string;
  /** Name of the top-level owner; pod names derive from it as the real controllers' do. */
  name: string;
  /** Bind the pod to this node (a KWOK node makes it Running); unset leaves it Pending. */
  nodeName?: string;
  labels?: Record<string, string>;
}

export interface OwnedPod {
  readonly pod: V1Pod;
  /** Owner chain, nearest first: [ReplicaSet, Deployment] for a Deployment. */
  readonly owners: readonly V1OwnerReference[];
}

const suffix = (n: number) => randomBytes(n).toString('hex').slice(0, n);

/**
 * Creates a node that KWOK simulates and waits until it is Ready. Its NoSchedule taint is the one
 * KWOK's docs recommend; tests bind pods with spec.nodeName, which taints do not block.
 */
export async function createFakeNode(kc: KubeConfig, name: string, labels: Record<string, string> = {}): Promise<V1Node> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNode({
    body: {
      metadata: {
        name,
        annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', ...labels },
      },
      spec: { taints: [{ key: KWOK_NODE_ANNOTATION.key, value: KWOK_NODE_ANNOTATION.value, effect: 'NoSchedule' }] },
    },
  });
  let node: V1Node | undefined;
  await waitUntil(
    `KWOK to mark node ${name} Ready (is KWOK running?)`,
    async () => {
      node = await core.readNode({ name });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    undefined,
    30_000,
    200,
  );
  if (!node) throw new Error(`node ${name} vanished`);
  return node;
}

const podSpec = (nodeName?: string): V1PodSpec => ({ nodeName, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] });
const template = (labels: Record<string, string>): V1PodTemplateSpec => ({ metadata: { labels }, spec: podSpec() });
const selector = (labels: Record<string, string>) => ({ matchLabels: labels });

function ownerRef(kind: string, meta: { name?: string; uid?: string } | undefined): V1OwnerReference {
  if (!meta?.name || !meta.uid) throw new Error(`created ${kind} has no name/uid`);
  return { apiVersion: 'apps/v1', kind, name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
}

interface Owned {
  owners: V1OwnerReference[];
  podName: string;
  labels: Record<string, string>;
}

/** Creates the owner chain the way its controllers name things; returns what the pod needs. */
async function createOwners(apps: AppsV1Api, kind: OwnerKind, namespace: string, name: string, labels: Record<string, string>): Promise<Owned> {
  const spec = { selector: selector({ app: name }), template: template(labels) };
  switch (kind) {
    case 'StatefulSet': {
      const sts = await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name }, spec: { ...spec, serviceName: name, replicas: 1 } } });
      return { owners: [ownerRef(kind, sts.metadata)], podName: `${name}-0`, labels };
    }
    case 'DaemonSet': {
      const ds = await apps.createNamespacedDaemonSet({ namespace, body: { metadata: { name }, spec } });
      return { owners: [ownerRef(kind, ds.metadata)], podName: `${name}-${suffix(5)}`, labels };
    }
    case 'ReplicaSet': {
      const rs = await apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name }, spec: { ...spec, replicas: 1 } } });
      return { owners: [ownerRef(kind, rs.metadata)], podName: `${name}-${suffix(5)}`, labels };
    }
    case 'Deployment': {
      const deploy = await apps.createNamespacedDeployment({ namespace, body: { metadata: { name }, spec: { ...spec, replicas: 1 } } });
      // The Deployment controller names its ReplicaSet <deployment>-<pod-template-hash> and adds the hash label.
      const hash = suffix(10);
      const rsLabels = { ...labels, 'pod-template-hash': hash };
      const rs = await apps.createNamespacedReplicaSet({
        namespace,
        body: {
          metadata: { name: `${name}-${hash}`, labels: rsLabels, ownerReferences: [ownerRef(kind, deploy.metadata)] },
          spec: { replicas: 1, selector: selector({ app: name, 'pod-template-hash': hash }), template: template(rsLabels) },
        },
      });
      return { owners: [ownerRef('ReplicaSet', rs.metadata), ownerRef(kind, deploy.metadata)], podName: `${name}-${hash}-${suffix(5)}`, labels: rsLabels };
    }
  }
}

/**
 * Creates the owner object(s) and one pod whose ownerReferences point at its direct owner, as the
 * missing controllers would have. There is no garbage collector: deleting an owner leaves the pod.
 */
export async function createOwnedPod(kc: KubeConfig, kind: OwnerKind, options: OwnedPodOptions): Promise<OwnedPod> {
  const { namespace, name } = options;
  const owned = await createOwners(kc.makeApiClient(AppsV1Api), kind, namespace, name, { app: name, ...options.labels });
  const pod = await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: { metadata: { name: owned.podName, labels: owned.labels, ownerReferences: owned.owners.slice(0, 1) }, spec: podSpec(options.nodeName) },
  });
  return { pod, owners: owned.owners };
}

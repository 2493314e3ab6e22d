import type { V1Pod } from '@kubernetes/client-node';
import { isNotFound, kubeFailure, type KubeApis } from './client.ts';
import type { MinHealthyReplicas } from './replicas-params.ts';

/** The pod's owner as the reference sees it: its first ownerReference (none: a standalone pod). */
export interface PodOwner {
  readonly kind: string;
  readonly name: string;
}

export function podOwner(pod: V1Pod): PodOwner | undefined {
  const ref = pod.metadata?.ownerReferences?.[0];
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

/** A static pod's API mirror: the kubelet recreates it, so evicting or deleting it achieves nothing. */
export function isMirrorPod(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

/** Whether the pod counts among its owner's ready replicas: Ready and not already terminating. */
export function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export interface ReplicaCounts {
  readonly desired: number;
  readonly ready: number;
}

/** GET of an owner; undefined when it is gone (404). */
async function readOwner<T>(resource: string, name: string, namespace: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw kubeFailure(error, { verb: 'get', resource, name, namespace });
  }
}

/**
 * Desired and ready replicas of the owner (from its status), or undefined for kinds without them
 * (Job, custom resources) and for an owner that no longer exists: it has no replicas to protect
 * (its pods are orphans, about to be garbage-collected).
 */
export async function replicaCounts(apis: KubeApis, namespace: string, owner: PodOwner): Promise<ReplicaCounts | undefined> {
  const { name } = owner;
  switch (owner.kind) {
    case 'ReplicaSet': {
      const rs = await readOwner('replicasets', name, namespace, () => apis.apps.readNamespacedReplicaSet({ name, namespace }));
      return rs && { desired: rs.spec?.replicas ?? 1, ready: rs.status?.readyReplicas ?? 0 };
    }
    case 'StatefulSet': {
      const sts = await readOwner('statefulsets', name, namespace, () => apis.apps.readNamespacedStatefulSet({ name, namespace }));
      return sts && { desired: sts.spec?.replicas ?? 1, ready: sts.status?.readyReplicas ?? 0 };
    }
    case 'DaemonSet': {
      const ds = await readOwner('daemonsets', name, namespace, () => apis.apps.readNamespacedDaemonSet({ name, namespace }));
      return ds && { desired: ds.status?.desiredNumberScheduled ?? 0, ready: ds.status?.numberReady ?? 0 };
    }
    case 'ReplicationController': {
      const rc = await readOwner('replicationcontrollers', name, namespace, () => apis.core.readNamespacedReplicationController({ name, namespace }));
      return rc && { desired: rc.spec?.replicas ?? 1, ready: rc.status?.readyReplicas ?? 0 };
    }
    default:
      return undefined;
  }
}

/** The minimum number of healthy replicas to keep: `N`, or `N%` of the DESIRED replicas rounded up. */
export function healthyThreshold(min: MinHealthyReplicas, desired: number): number {
  return min.percent ? Math.ceil((min.value * desired) / 100) : min.value;
}

export interface RemovalPlan {
  readonly threshold: number;
  /** Pods that may be terminated or evicted. */
  readonly allowed: readonly V1Pod[];
  /** Pods kept because removing them would leave fewer healthy replicas than the threshold. */
  readonly held: readonly V1Pod[];
}

/**
 * Which of `pods` (all of one owner) may be removed without going below `min_healthy_replicas`.
 *
 * Rule: healthy = the owner's ready replicas (its status). Removing a ready pod (isPodReady) costs
 * one healthy replica, removing a pod that is not ready costs none. A pod is held back when
 * removing it would leave fewer than the threshold: ready pods are allowed one by one while
 * `max(healthy - removedSoFar - 1, 0) >= threshold` (so a threshold of 0 never holds a pod back,
 * even when the owner's status is stale); pods that are not ready are always allowed. With the
 * reference's example `min_healthy_replicas: 2` and 3 ready replicas, one ready pod may go (3-1=2);
 * with 2 ready, none. Several pods of the same owner (a drain) share one budget.
 */
export function planRemovals(min: MinHealthyReplicas, counts: ReplicaCounts, pods: readonly V1Pod[]): RemovalPlan {
  const threshold = healthyThreshold(min, counts.desired);
  const allowed: V1Pod[] = [];
  const held: V1Pod[] = [];
  let healthy = counts.ready;
  for (const pod of pods) {
    if (!isPodReady(pod)) allowed.push(pod);
    else if (Math.max(healthy - 1, 0) >= threshold) {
      healthy -= 1;
      allowed.push(pod);
    } else held.push(pod);
  }
  return { threshold, allowed, held };
}

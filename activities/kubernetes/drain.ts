import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { hostname } from '../../src/events/fields.ts';
import { cancellationSignal } from '../activity-context.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';
import type { Logger } from '../../src/log.ts';
import { permanent, retryable, truncate } from '../errors.ts';
import type { ActionnerImplementation } from '../types.ts';
import { kubernetesDrainSpec, type DrainParams } from './drain.spec.ts';
import { createdAfterEvent, eventPod, getEventPod, isNotFound, kubeCall, kubeFailure, type KubeApis } from './client.ts';
import { cordonNode, podNodeName } from './cordon.ts';
import type { MinHealthyReplicas } from './replicas-params.ts';
import { isMirrorPod, planRemovals, podOwner, replicaCounts, type ReplicaCounts } from './replicas.ts';

/** How often the node's pods are listed while waiting for evicted pods to vanish. */
const POLL_MS = 1000;
/** Evictions in flight at once: concurrent, without a burst of hundreds of requests on a big node. */
const CONCURRENCY = 10;

interface Tally {
  ignored: number;
  evictionErrors: number;
  notGone: number;
  otherErrors: number;
  readonly failures: ApplicationFailure[];
}

/** Everything below throws classified failures (client.ts); anything else is unexpected, hence retryable. */
function asFailure(error: unknown): ApplicationFailure {
  return error instanceof ApplicationFailure ? error : retryable('Error', error instanceof Error ? error.message : String(error));
}

const podKey = (pod: V1Pod) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

async function podsOnNode(apis: KubeApis, node: string): Promise<V1Pod[]> {
  const list = await kubeCall({ verb: 'list', resource: 'pods' }, () => apis.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }));
  return list.items;
}

/** Mirror pods always, DaemonSet/StatefulSet pods as the parameters say: counted as ignored. */
function isIgnored(pod: V1Pod, parameters: DrainParams): boolean {
  if (isMirrorPod(pod)) return true;
  const kind = podOwner(pod)?.kind;
  return (kind === 'DaemonSet' && parameters.ignore_daemonsets) || (kind === 'StatefulSet' && parameters.ignore_statefulsets);
}

/** Applies min_healthy_replicas per owner, so pods of one owner share one budget (replicas.ts). */
async function withinBudget(apis: KubeApis, pods: readonly V1Pod[], min: MinHealthyReplicas, tally: Tally): Promise<V1Pod[]> {
  const byOwner = new Map<string, V1Pod[]>();
  const allowed: V1Pod[] = [];
  for (const pod of pods) {
    const owner = podOwner(pod);
    if (!owner) allowed.push(pod);
    else {
      const key = `${pod.metadata?.namespace ?? ''}/${owner.kind}/${owner.name}`;
      byOwner.set(key, [...(byOwner.get(key) ?? []), pod]);
    }
  }
  for (const group of byOwner.values()) {
    const first = group[0] as V1Pod;
    const owner = podOwner(first);
    let counts: ReplicaCounts | undefined;
    try {
      counts = owner && (await replicaCounts(apis, first.metadata?.namespace ?? '', owner));
    } catch (error) {
      tally.otherErrors += group.length;
      tally.failures.push(asFailure(error));
      continue;
    }
    if (!counts) allowed.push(...group);
    else {
      const plan = planRemovals(min, counts, group);
      allowed.push(...plan.allowed);
      tally.ignored += plan.held.length;
    }
  }
  return allowed;
}

/** Evicts one pod; true when it was evicted, false when it was already gone. */
async function evict(apis: KubeApis, pod: V1Pod): Promise<boolean> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  try {
    await apis.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw kubeFailure(error, { verb: 'create', resource: 'pods/eviction', name, namespace });
  }
}

/**
 * Polls the node until none of `pods` (by UID, so a recreated namesake does not count) is left;
 * returns how many are still there at the deadline. A failed poll is logged and retried.
 */
async function waitGone(apis: KubeApis, node: string, pods: readonly V1Pod[], seconds: number, log: Logger): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let left = new Set(pods.map((p) => p.metadata?.uid));
  for (;;) {
    try {
      const present = new Set((await podsOnNode(apis, node)).map((p) => p.metadata?.uid));
      left = new Set([...left].filter((uid) => present.has(uid)));
    } catch (error) {
      log.warn({ node, error: asFailure(error).message }, 'listing the pods of the node failed');
    }
    if (left.size === 0 || Date.now() >= deadline) return left.size;
    // A cancelled playbook stops waiting (the evictions already made stand).
    if (cancellationSignal()?.aborted) throw new CancelledFailure('the activity was cancelled');
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())));
  }
}

const isPodNotFound = (error: unknown): error is ApplicationFailure => error instanceof ApplicationFailure && error.type === 'PodNotFound';

/**
 * Cordons the node to drain and returns its name: the node of the event's pod. On a retry the pod
 * may be gone (the previous attempt evicted it) or replaced by a namesake created after the event
 * (a StatefulSet's, scheduled elsewhere since the node is cordoned); then the node is the one the
 * event's `hostname` names (Falco runs on the node, and reports the node's name), if a Node of that
 * name exists (the cordon's 404 says it does not: the pod's failure stands).
 */
async function cordonTarget(apis: KubeApis, event: FalcoEvent, attempt: number): Promise<string> {
  let pod: V1Pod | undefined;
  try {
    pod = await getEventPod(apis, event);
  } catch (error) {
    if (attempt <= 1 || !isPodNotFound(error)) throw error;
  }
  if (pod && (attempt <= 1 || !createdAfterEvent(pod.metadata, event))) {
    const node = podNodeName(pod);
    await cordonNode(apis, node);
    return node;
  }
  const { pod: name, namespace } = eventPod(event);
  const gone = permanent(
    'PodNotFound',
    `the pod '${name}' in the namespace '${namespace}' doesn't exist${pod ? ' (the pod of that name was created after the event)' : ''}`,
  );
  const node = hostname(event);
  if (node === '') throw gone;
  try {
    await cordonNode(apis, node);
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type === 'NodeNotFound') throw gone;
    throw error;
  }
  return node;
}

/** The failure to throw when the drain is incomplete: Forbidden if RBAC is missing, else retryable unless every cause is permanent. */
function drainFailure(message: string, tally: Tally): ApplicationFailure {
  const causes = [...new Set(tally.failures.map((f) => f.message))].slice(0, 3).join('; ');
  const full = truncate(causes ? `${message} (${causes})` : message, 1024);
  if (tally.failures.some((f) => f.type === 'Forbidden')) return permanent('Forbidden', full);
  const allPermanent = tally.notGone === 0 && tally.failures.length > 0 && tally.failures.every((f) => f.nonRetryable);
  return allPermanent ? permanent('NodeNotDrained', full) : retryable('NodeNotDrained', full);
}

/**
 * `kubernetes:drain`: cordons the node of the event's pod, then evicts its pods (Eviction API, so
 * PodDisruptionBudgets apply). Unlike the reference (§11.7) it cordons first, skips mirror pods and,
 * by default, DaemonSet pods, and computes `min_healthy_replicas` percentages on desired replicas.
 * A retry whose pod the previous attempt evicted drains the node of the event's hostname (cordonTarget).
 */
export const kubernetesDrain: ActionnerImplementation<DrainParams> = {
  spec: kubernetesDrainSpec,
  async checks({ event, attempt = 1 }, deps) {
    try {
      await getEventPod(await deps.clients.kubernetes(), event);
    } catch (error) {
      // On a retry the pod is likely gone because the previous attempt evicted it: run() then
      // drains the node the event's hostname names (cordonTarget).
      if (attempt > 1 && isPodNotFound(error)) return;
      throw error;
    }
  },
  async run({ event, parameters, attempt = 1 }, deps) {
    const apis = await deps.clients.kubernetes();
    const node = await cordonTarget(apis, event, attempt);
    const tally: Tally = { ignored: 0, evictionErrors: 0, notGone: 0, otherErrors: 0, failures: [] };
    const pods = await podsOnNode(apis, node);
    // Pods already terminating (an earlier attempt evicted them) are only waited for.
    const terminating = pods.filter((p) => p.metadata?.deletionTimestamp && !isMirrorPod(p));
    let candidates = pods.filter((p) => !p.metadata?.deletionTimestamp);
    tally.ignored += candidates.filter((p) => isIgnored(p, parameters)).length;
    candidates = candidates.filter((p) => !isIgnored(p, parameters));
    const min = parameters.min_healthy_replicas;
    if (min) candidates = await withinBudget(apis, candidates, min, tally);
    const evicted: V1Pod[] = [];
    await mapLimit(candidates, CONCURRENCY, async (pod) => {
      try {
        if (await evict(apis, pod)) evicted.push(pod);
      } catch (error) {
        tally.evictionErrors += 1;
        const failure = asFailure(error);
        tally.failures.push(failure);
        deps.log.warn({ node, pod: podKey(pod), error: failure.message }, 'eviction failed');
      }
    });
    if (parameters.max_wait_period > 0) {
      const excluded = new Set(parameters.wait_period_excluded_namespaces);
      const awaited = [...evicted, ...terminating].filter((p) => !excluded.has(p.metadata?.namespace ?? ''));
      tally.notGone = await waitGone(apis, node, awaited, parameters.max_wait_period, deps.log);
    }
    const { ignored, evictionErrors, notGone, otherErrors } = tally;
    if (parameters.ignore_errors || evictionErrors + notGone + otherErrors === 0) {
      return {
        status: 'success',
        result: `the node '${node}' has been drained, errors are ignored: ${ignored} ignored pods, ${evictionErrors} eviction errors, ${otherErrors} other errors`,
        objects: { node },
      };
    }
    throw drainFailure(
      `the node '${node}' has not been fully drained: ${ignored} pods ignored, ${evictionErrors} eviction errors, ${notGone} were not evicted during max_wait_period, ${otherErrors} other errors`,
      tally,
    );
  },
};

import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { ActionnerImplementation } from '../types.ts';
import { kubernetesTerminateSpec, type TerminateParams } from './terminate.spec.ts';
import { createdAfterEvent, eventPod, getEventPod, isNotFound, kubeFailure, statusOf, type KubeApis } from './client.ts';
import { minHealthyText } from './replicas-params.ts';
import { planRemovals, podOwner, replicaCounts } from './replicas.ts';

/** Why the pod must be left alone, or undefined to terminate it (reference §6.2, percentages fixed). */
async function skipReason(apis: KubeApis, pod: V1Pod, parameters: TerminateParams): Promise<string | undefined> {
  const owner = podOwner(pod);
  if (!owner) return parameters.ignore_standalone_pods ? 'it has no owner and ignore_standalone_pods is true' : undefined;
  if (owner.kind === 'DaemonSet' && parameters.ignore_daemonsets) return `it belongs to the DaemonSet '${owner.name}' and ignore_daemonsets is true`;
  if (owner.kind === 'StatefulSet' && parameters.ignore_statefulsets) return `it belongs to the StatefulSet '${owner.name}' and ignore_statefulsets is true`;
  const min = parameters.min_healthy_replicas;
  if (!min) return undefined;
  const counts = await replicaCounts(apis, pod.metadata?.namespace ?? '', owner);
  if (!counts) return undefined;
  const plan = planRemovals(min, counts, [pod]);
  if (plan.held.length === 0) return undefined;
  return (
    `its ${owner.kind} '${owner.name}' has ${counts.ready} healthy replicas of ${counts.desired} desired, ` +
    `terminating it would leave fewer than ${plan.threshold} (min_healthy_replicas: ${minHealthyText(min)})`
  );
}

/** A DELETE whose UID precondition failed: the pod we examined is gone, a namesake replaced it. */
export function isUidConflict(error: unknown): boolean {
  return statusOf(error) === 409 && /precondition/i.test(String((error as { body?: unknown }).body));
}

/**
 * `kubernetes:terminate`: deletes the event's pod unless its owner or `min_healthy_replicas` says to
 * leave it; then the status is `ignored` with the reason, not `success` (reference §11.7).
 */
export const kubernetesTerminate: ActionnerImplementation<TerminateParams> = {
  spec: kubernetesTerminateSpec,
  async checks({ event, attempt = 1 }, deps) {
    try {
      await getEventPod(await deps.clients.kubernetes(), event);
    } catch (error) {
      // On a retry the pod may be gone because an earlier attempt deleted it and its completion was
      // lost (worker crash): run() reports that end state instead of failing as "doesn't exist".
      if (attempt > 1 && error instanceof ApplicationFailure && error.type === 'PodNotFound') return;
      throw error;
    }
  },
  async run({ event, parameters, attempt = 1 }, deps) {
    const apis = await deps.clients.kubernetes();
    const { pod: name, namespace } = eventPod(event);
    const objects = { pod: name, namespace };
    const subject = `the pod '${name}' in the namespace '${namespace}'`;
    // The checks found the pod moments ago: if it is gone now (another attempt, the kubelet, a
    // user), the end state holds and we say so.
    const alreadyGone = { status: 'success', result: `${subject} was already terminated`, objects } as const;
    let pod: V1Pod;
    try {
      pod = await apis.core.readNamespacedPod({ name, namespace });
    } catch (error) {
      if (isNotFound(error)) return alreadyGone;
      throw kubeFailure(error, { verb: 'get', resource: 'pods', name, namespace });
    }
    // On a retry, a pod created after the event is a namesake: the pod the event saw is gone (deleted
    // by an earlier attempt whose completion was lost) and the UID precondition below cannot tell,
    // since this read returned the replacement's UID. Not on a first attempt: the node's clock
    // (event time) and the API server's (creation time) may disagree by a little.
    if (attempt > 1 && createdAfterEvent(pod.metadata, event)) {
      return { ...alreadyGone, result: `${alreadyGone.result}; the pod of that name was created after the event (a replacement) and is left alone` };
    }
    const reason = await skipReason(apis, pod, parameters);
    if (reason) return { status: 'ignored', result: `${subject} has not been terminated: ${reason}`, objects };
    try {
      // The UID precondition keeps a replacement created since the read above from being killed.
      await apis.core.deleteNamespacedPod({
        name,
        namespace,
        gracePeriodSeconds: parameters.grace_period_seconds,
        body: { gracePeriodSeconds: parameters.grace_period_seconds, preconditions: { uid: pod.metadata?.uid } },
      });
    } catch (error) {
      if (isNotFound(error) || isUidConflict(error)) return alreadyGone;
      throw kubeFailure(error, { verb: 'delete', resource: 'pods', name, namespace });
    }
    // Deleting a terminating pod again only shortens its grace period: same end state, said honestly.
    const result = pod.metadata?.deletionTimestamp ? `${subject} was already being terminated` : `${subject} has been terminated`;
    return { status: 'success', result, objects };
  },
};

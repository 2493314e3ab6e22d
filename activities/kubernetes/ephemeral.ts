import { createHash } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type V1EphemeralContainer, type V1Pod } from '@kubernetes/client-node';
import { withHeartbeats } from '../activity-context.ts';
import { permanent, retryable } from '../errors.ts';
import { kubeCall, type KubeApis } from './client.ts';

const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/**
 * A name derived from the action's idempotency key: a retried attempt finds the container (or Job)
 * its earlier attempt made instead of adding another (ephemeral containers cannot be removed).
 */
export function stableName(prefix: string, idempotencyKey: string): string {
  return `${prefix}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 5)}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Adds `container` to the pod's ephemeral containers (a strategic merge by name through the
 * `pods/ephemeralcontainers` subresource, so others are kept) unless it is there, then waits until
 * the kubelet reports it running.
 */
export async function runEphemeralContainer(apis: KubeApis, pod: V1Pod, container: V1EphemeralContainer, waitSeconds: number): Promise<void> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const request = { verb: 'patch', resource: 'pods/ephemeralcontainers', name, namespace, notFoundType: 'PodNotFound' };
  if (!pod.spec?.ephemeralContainers?.some((c) => c.name === container.name)) {
    await kubeCall(request, () =>
      apis.core.patchNamespacedPodEphemeralcontainers({ name, namespace, body: { spec: { ephemeralContainers: [container] } } }, strategicMergePatch),
    );
  }
  const deadline = Date.now() + waitSeconds * 1000;
  const wait = async () => {
    for (;;) {
      const current = await kubeCall({ verb: 'get', resource: 'pods', name, namespace, notFoundType: 'PodNotFound' }, () =>
        apis.core.readNamespacedPod({ name, namespace }),
      );
      const state = current.status?.ephemeralContainerStatuses?.find((s) => s.name === container.name)?.state;
      if (state?.running) return;
      if (state?.terminated) {
        throw permanent(
          'EphemeralContainerEnded',
          `the ephemeral container '${container.name}' ended: ${state.terminated.reason ?? `exit code ${state.terminated.exitCode}`}`,
        );
      }
      if (Date.now() > deadline) {
        const why = state?.waiting?.reason ? ` (${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ''})` : '';
        throw retryable(
          'EphemeralContainerNotRunning',
          `the ephemeral container '${container.name}' of the pod '${name}' is not running after ${waitSeconds}s${why}`,
        );
      }
      await sleep(500);
    }
  };
  await withHeartbeats(`waiting for the ephemeral container ${container.name}`, wait());
}

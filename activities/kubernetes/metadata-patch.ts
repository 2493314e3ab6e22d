import type { z } from 'zod';
import type { ActionInput, ActionResult, Deps } from '../types.ts';
import { getEventPod, kubeCall, mergePatch, scheduledNode } from './client.ts';
import type { level, MetadataKind } from './metadata-params.ts';

/**
 * Adds, replaces and removes keys in one JSON merge-patch (RFC 7386): `{metadata: {labels: {a: "x",
 * gone: null}}}`. Unlike the reference's JSON-Patch (a dummy `pod` label for objects without
 * labels, `replace` ops, ignored "bad request" on removal), it is one request and idempotent: a
 * retry writes the same values and removing an absent key is a no-op.
 */
export async function patchMetadata(
  kind: MetadataKind,
  entries: Readonly<Record<string, string>>,
  target: z.infer<typeof level>,
  input: ActionInput<unknown>,
  deps: Deps,
): Promise<ActionResult> {
  const apis = await deps.clients.kubernetes();
  const pod = await getEventPod(apis, input.event);
  const podName = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const body = { metadata: { [kind.field]: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v === '' ? null : v])) } };
  if (target === 'node') {
    const node = scheduledNode(pod);
    await kubeCall({ verb: 'patch', resource: 'nodes', name: node, notFoundType: 'NodeNotFound' }, () => apis.core.patchNode({ name: node, body }, mergePatch));
    return { status: 'success', result: `the node '${node}' has been ${kind.done}`, objects: { node } };
  }
  await kubeCall({ verb: 'patch', resource: 'pods', name: podName, namespace, notFoundType: 'PodNotFound' }, () =>
    apis.core.patchNamespacedPod({ name: podName, namespace, body }, mergePatch),
  );
  return { status: 'success', result: `the pod '${podName}' in the namespace '${namespace}' has been ${kind.done}`, objects: { pod: podName, namespace } };
}

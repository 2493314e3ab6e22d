import type { V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { Change, MetadataTarget, Objects, UndoResult } from '../../src/contract/index.ts';
import { permanent, retryable } from '../errors.ts';
import type { ActionInput, ActionResult, Deps } from '../types.ts';
import { getEventPod, isNotFound, kubeCall, kubeFailure, mergePatch, scheduledNode, statusOf, type KubeApis } from './client.ts';
import type { level, MetadataKind } from './metadata-params.ts';

type Entries = Readonly<Record<string, string>>;

/** What the action writes per key: its value, or null for a key it removes (an empty value). */
function applied(entries: Entries): Record<string, string | null> {
  return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v === '' ? null : v]));
}

/** The object a metadata action writes: the pod itself, or the node it is scheduled on. */
function targetOf(pod: V1Pod, target: z.infer<typeof level>): MetadataTarget {
  if (target === 'node') return { node: scheduledNode(pod) };
  return { namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '' };
}

function describe(target: MetadataTarget): { what: string; objects: Objects } {
  if ('node' in target) return { what: `the node '${target.node}'`, objects: { node: target.node } };
  return { what: `the pod '${target.pod}' in the namespace '${target.namespace}'`, objects: { pod: target.pod, namespace: target.namespace } };
}

/** One merge patch of the target; the raw API error is left to the caller to classify. */
function patchTarget(apis: KubeApis, target: MetadataTarget, body: object): Promise<unknown> {
  if ('node' in target) return apis.core.patchNode({ name: target.node, body }, mergePatch);
  return apis.core.patchNamespacedPod({ name: target.pod, namespace: target.namespace, body }, mergePatch);
}

function request(verb: string, target: MetadataTarget) {
  return 'node' in target
    ? { verb, resource: 'nodes', name: target.node, notFoundType: 'NodeNotFound' }
    : { verb, resource: 'pods', name: target.pod, namespace: target.namespace, notFoundType: 'PodNotFound' };
}

/** The target's metadata now, or undefined when it no longer exists. */
async function readMetadata(apis: KubeApis, target: MetadataTarget): Promise<V1ObjectMeta | undefined> {
  try {
    const object =
      'node' in target ? await apis.core.readNode({ name: target.node }) : await apis.core.readNamespacedPod({ name: target.pod, namespace: target.namespace });
    return object.metadata ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw kubeFailure(error, request('get', target));
  }
}

/**
 * Adds, replaces and removes keys in one JSON merge-patch (RFC 7386): `{metadata: {labels: {a: "x",
 * gone: null}}}`. Unlike the reference's JSON-Patch (a dummy `pod` label for objects without
 * labels, `replace` ops, ignored "bad request" on removal), it is one request and idempotent: a
 * retry writes the same values and removing an absent key is a no-op.
 */
export async function patchMetadata(
  kind: MetadataKind,
  entries: Entries,
  at: z.infer<typeof level>,
  input: ActionInput<unknown>,
  deps: Deps,
): Promise<ActionResult> {
  const apis = await deps.clients.kubernetes();
  const target = targetOf(await getEventPod(apis, input.event), at);
  await kubeCall(request('patch', target), () => patchTarget(apis, target, { metadata: { [kind.field]: applied(entries) } }));
  const { what, objects } = describe(target);
  return { status: 'success', result: `${what} has been ${kind.done}`, objects };
}

/** The before-state of a metadata action: the target, and each key it writes as it is now (null: absent). */
export async function snapshotMetadata(
  kind: MetadataKind,
  entries: Entries,
  at: z.infer<typeof level>,
  input: ActionInput<unknown>,
  deps: Deps,
): Promise<Change> {
  const apis = await deps.clients.kubernetes();
  const pod = await getEventPod(apis, input.event);
  const target = targetOf(pod, at);
  const meta = 'node' in target ? (await kubeCall(request('get', target), () => apis.core.readNode({ name: target.node }))).metadata : pod.metadata;
  const current = meta?.[kind.field] ?? {};
  const writes = applied(entries);
  const previous = Object.fromEntries(Object.keys(writes).map((key) => [key, current[key] ?? null]));
  return { kind: 'metadata', field: kind.field, target, applied: writes, previous };
}

/**
 * Puts back each key the action wrote, but only where the value is still the one it wrote: a key
 * someone changed since is theirs now and is left alone (reported in `skipped`). One merge patch
 * conditional on the resourceVersion read, so a write in between is never overwritten blindly; a
 * conflict starts again from the read.
 */
export async function undoMetadata(kind: MetadataKind, change: Change, deps: Deps): Promise<UndoResult> {
  if (change.kind !== 'metadata' || change.field !== kind.field) throw permanent('WrongChange', `cannot undo a '${change.kind}' change as ${kind.field}`);
  const apis = await deps.clients.kubernetes();
  const { what, objects } = describe(change.target);
  const gone = { result: `${what} no longer exists: nothing to undo`, objects };
  for (let round = 0; round < 3; round++) {
    const meta = await readMetadata(apis, change.target);
    if (!meta) return gone;
    const current = meta[kind.field] ?? {};
    const restore: Record<string, string | null> = {};
    const skipped: string[] = [];
    for (const [key, wrote] of Object.entries(change.applied)) {
      const before = change.previous[key] ?? null;
      if ((current[key] ?? null) !== wrote) skipped.push(key);
      else if (before !== wrote) restore[key] = before;
    }
    const result = { result: undoText(kind, what, Object.keys(restore), skipped), objects, ...(skipped.length > 0 ? { skipped } : {}) };
    if (Object.keys(restore).length === 0) return result;
    try {
      await patchTarget(apis, change.target, { metadata: { resourceVersion: meta.resourceVersion, [kind.field]: restore } });
      return result;
    } catch (error) {
      if (isNotFound(error)) return gone;
      if (statusOf(error) !== 409) throw kubeFailure(error, request('patch', change.target));
    }
  }
  throw retryable('Kubernetes409', `${what} kept changing while its ${kind.field} were being restored`);
}

function undoText(kind: MetadataKind, what: string, restored: readonly string[], skipped: readonly string[]): string {
  const changed = skipped.map((key) => `'${key}'`).join(', ');
  if (restored.length === 0 && skipped.length === 0) return `the ${kind.field} of ${what} were already as before the action`;
  if (restored.length === 0) return `the ${kind.field} of ${what} have been left as they are: ${changed} changed since the action`;
  const except = skipped.length > 0 ? `, except ${changed} (changed since the action)` : '';
  return `the ${kind.field} of ${what} have been restored${except}`;
}

import type { V1LabelSelector } from '@kubernetes/client-node';
import { z } from 'zod';
import type { Change, FalcoEvent, Json, UndoResult } from '../../src/contract/index.ts';
import { permanent, retryable } from '../errors.ts';
import type { Deps } from '../types.ts';
import { isNotFound, kubeFailure, statusOf, type KubeApis } from './client.ts';
import { eventWorkload } from './workload-selector.ts';

/** The label every policy this engine writes carries; it never touches a policy without it. */
export const MANAGED_BY = { key: 'app.k8s.io/managed-by', value: 'falco-talon' } as const;

/** A label selector in a canonical form (keys, expressions and their values sorted), for comparing two. */
export function selectorKey(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = (selector?.matchExpressions ?? []).map((e) => JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()])).sort();
  return JSON.stringify([labels, expressions]);
}

/** A policy object as the API returns it: only what ownership, conflict checks and undo read. */
export interface PolicyObject {
  readonly metadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly resourceVersion?: string;
  };
  readonly spec?: unknown;
}

/** How one kind of policy (native, Calico, Cilium) is read and written. */
export interface PolicyKind<T extends PolicyObject> {
  /** `networkpolicy`, `caliconetworkpolicy`, `ciliumnetworkpolicy`: the reference's result texts. */
  readonly noun: string;
  /** Plural resource, for RBAC-naming errors. */
  readonly resource: string;
  read(name: string, namespace: string): Promise<T>;
  create(namespace: string, body: T): Promise<unknown>;
  replace(name: string, namespace: string, body: T): Promise<unknown>;
  /** Deletes the policy only if it is still at `resourceVersion` (a 409 otherwise). */
  delete(name: string, namespace: string, resourceVersion: string | undefined): Promise<unknown>;
  /** Name of the workload selector's field: `podSelector`, `selector`, `endpointSelector`. */
  readonly selectorField: string;
  /** The workload selector as written in the policy. */
  selector(policy: T): unknown;
  /** The selector in a canonical form: two policies of one name must select the same pods. */
  selectorKey(policy: T): string;
  /** What to write over an existing policy (by default the desired one; Calico and Cilium keep earlier denied IPs). */
  merge?(existing: T, desired: T): T;
}

/**
 * GET, then CREATE when absent or REPLACE (with the read resourceVersion) when present. A policy
 * without the managed-by label is never replaced (it may hold rules someone wrote by hand), nor one
 * selecting another workload of the same name. A 409 — created or changed since the read, e.g. by
 * this action's earlier attempt whose answer was lost — restarts from the read, so retries and
 * concurrent alerts converge.
 */
export async function upsertPolicy<T extends PolicyObject>(kind: PolicyKind<T>, name: string, namespace: string, desired: T): Promise<'created' | 'updated'> {
  const req = { resource: kind.resource, name, namespace };
  const what = `the ${kind.noun} '${name}' in the namespace '${namespace}'`;
  for (let round = 0; round < 3; round++) {
    let existing: T | undefined;
    try {
      existing = await kind.read(name, namespace);
    } catch (error) {
      if (!isNotFound(error)) throw kubeFailure(error, { ...req, verb: 'get' });
    }
    if (existing && existing.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) {
      throw permanent(
        'NetworkPolicyNotManaged',
        `${what} exists and is not managed by falco-talon (label ${MANAGED_BY.key}=${MANAGED_BY.value}); not replacing it`,
      );
    }
    // Policies are named after the workload, so two workloads of one name (a Deployment and a
    // StatefulSet `db`) share one: replacing its selector would lift the other's isolation.
    if (existing && kind.selectorKey(existing) !== kind.selectorKey(desired)) {
      throw permanent(
        'NetworkPolicyConflict',
        `${what} already isolates another workload of that name ` +
          `(${kind.selectorField} ${JSON.stringify(kind.selector(existing) ?? {})}, this pod's workload needs ${JSON.stringify(kind.selector(desired) ?? {})}); not replacing it`,
      );
    }
    try {
      if (!existing) {
        await kind.create(namespace, desired);
        return 'created';
      }
      const body = kind.merge ? kind.merge(existing, desired) : desired;
      await kind.replace(name, namespace, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
      return 'updated';
    } catch (error) {
      if (statusOf(error) !== 409) throw kubeFailure(error, { ...req, verb: existing ? 'update' : 'create' });
    }
  }
  throw retryable('Kubernetes409', `${what} kept changing while being written`);
}

/** The actionners that write a managed policy, as a containment change names them. */
export type PolicyActionner = Extract<Change, { kind: 'policy' }>['actionner'];

/** A policy's before-state in a change: what undo writes back. */
const previousPolicy = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  spec: z.unknown(),
});

/** A plain JSON copy (the client's model objects are class instances, some with undefined fields). */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/** The before-state of a policy action: the policy the action writes (named as it names it), or null when absent. */
export async function snapshotPolicy<T extends PolicyObject>(
  actionner: PolicyActionner,
  kindOf: (apis: KubeApis) => PolicyKind<T>,
  event: FalcoEvent,
  deps: Deps,
): Promise<Change> {
  const apis = await deps.clients.kubernetes();
  const { namespace, workload } = await eventWorkload(apis, event);
  const kind = kindOf(apis);
  const name = workload.name;
  let existing: T | undefined;
  try {
    existing = await kind.read(name, namespace);
  } catch (error) {
    if (!isNotFound(error)) throw kubeFailure(error, { verb: 'get', resource: kind.resource, name, namespace });
  }
  const previous = existing
    ? toJson({ labels: existing.metadata?.labels ?? {}, annotations: existing.metadata?.annotations ?? {}, spec: existing.spec ?? null })
    : null;
  return { kind: 'policy', actionner, namespace, name, previous };
}

/**
 * Undoes a policy action: a policy it created is deleted, one it updated gets its previous labels,
 * annotations and rules back. Only while it still carries the managed-by label (someone who took
 * it over owns it now), and conditional on the resourceVersion read: a 409 starts again from the
 * read, as upsertPolicy does.
 */
export async function undoPolicy<T extends PolicyObject>(
  actionner: PolicyActionner,
  kindOf: (apis: KubeApis) => PolicyKind<T>,
  change: Change,
  deps: Deps,
): Promise<UndoResult> {
  if (change.kind !== 'policy' || change.actionner !== actionner) throw permanent('WrongChange', `cannot undo a '${change.kind}' change as ${actionner}`);
  const parsed = previousPolicy.nullable().safeParse(change.previous);
  if (!parsed.success) throw permanent('WrongChange', `the previous state of the policy is malformed: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
  const previous = parsed.data;
  const { name, namespace } = change;
  const kind = kindOf(await deps.clients.kubernetes());
  const req = { resource: kind.resource, name, namespace };
  const what = `the ${kind.noun} '${name}' in the namespace '${namespace}'`;
  const objects = { namespace, [kind.noun]: name };
  const gone = { result: `${what} no longer exists: nothing to undo`, objects };
  for (let round = 0; round < 3; round++) {
    let existing: T;
    try {
      existing = await kind.read(name, namespace);
    } catch (error) {
      if (isNotFound(error)) return gone;
      throw kubeFailure(error, { ...req, verb: 'get' });
    }
    if (existing.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) {
      return { result: `${what} is no longer managed by falco-talon: left as it is`, objects, skipped: [name] };
    }
    const resourceVersion = existing.metadata.resourceVersion;
    try {
      if (!previous) {
        await kind.delete(name, namespace, resourceVersion);
        return { result: `${what} has been deleted`, objects };
      }
      const metadata = { ...existing.metadata, labels: previous.labels, annotations: previous.annotations, resourceVersion };
      await kind.replace(name, namespace, { ...existing, metadata, spec: previous.spec });
      return { result: `${what} has been restored to its previous rules`, objects };
    } catch (error) {
      if (isNotFound(error)) return gone;
      if (statusOf(error) !== 409) throw kubeFailure(error, { ...req, verb: previous ? 'update' : 'delete' });
    }
  }
  throw retryable('Kubernetes409', `${what} kept changing while being undone`);
}

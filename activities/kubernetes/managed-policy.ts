import type { V1LabelSelector } from '@kubernetes/client-node';
import { permanent, retryable } from '../errors.ts';
import { isNotFound, kubeFailure, statusOf } from './client.ts';

/** The label every policy this engine writes carries; it never touches a policy without it. */
export const MANAGED_BY = { key: 'app.k8s.io/managed-by', value: 'falco-talon' } as const;

/** A label selector in a canonical form (keys, expressions and their values sorted), for comparing two. */
export function selectorKey(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const expressions = (selector?.matchExpressions ?? []).map((e) => JSON.stringify([e.key, e.operator, [...(e.values ?? [])].sort()])).sort();
  return JSON.stringify([labels, expressions]);
}

/** A policy object as the API returns it: only what ownership and conflict checks read. */
export interface PolicyObject {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly resourceVersion?: string };
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

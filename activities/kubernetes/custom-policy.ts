import { z } from 'zod';
import type { FalcoEvent } from '../../src/contract/index.ts';
import type { ActionResult, Deps } from '../types.ts';
import { getEventPod, type KubeApis } from './client.ts';
import { upsertPolicy, type PolicyKind, type PolicyObject } from './managed-policy.ts';
import { remoteHostCidr } from './remote-ip.ts';
import { eventWorkload, type Workload } from './workload-selector.ts';

// Calico and Cilium policies go through the API's custom-object endpoints, which answer untyped
// JSON: what comes back is parsed here, at the edge, keeping every field it does not know.

const metadata = z
  .object({
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    resourceVersion: z.string().optional(),
  })
  .loose()
  .optional();

/** A custom policy as read back: typed where the engine reads it, everything else kept as it is. */
export function policySchema<S extends z.ZodType>(spec: S) {
  return z.object({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata, spec: spec.optional() }).loose();
}

export interface CustomResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** The reference's noun in result texts. */
  readonly noun: string;
}

/** Read, create and replace of a namespaced custom resource, each answer parsed by `schema`. */
export function customPolicies<T extends PolicyObject>(
  apis: KubeApis,
  resource: CustomResource,
  schema: z.ZodType<T>,
  selector: Pick<PolicyKind<T>, 'selectorField' | 'selector' | 'selectorKey' | 'merge'>,
): PolicyKind<T> {
  const { group, version, plural } = resource;
  return {
    noun: resource.noun,
    resource: plural,
    read: async (name, namespace) => schema.parse(await apis.custom.getNamespacedCustomObject({ group, version, namespace, plural, name })),
    create: (namespace, body) => apis.custom.createNamespacedCustomObject({ group, version, namespace, plural, body }),
    replace: (name, namespace, body) => apis.custom.replaceNamespacedCustomObject({ group, version, namespace, plural, name, body }),
    delete: (name, namespace, resourceVersion) =>
      apis.custom.deleteNamespacedCustomObject({ group, version, namespace, plural, name, body: { preconditions: { resourceVersion } } }),
    ...selector,
  };
}

/** The items of both lists, each once, in first-seen order. */
export function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/**
 * What calico:networkpolicy and cilium:networkpolicy do: find the event's pod and its workload,
 * then write the policy denying the event's remote IP, named after the workload.
 */
export async function denyRemoteIp<T extends PolicyObject>(
  event: FalcoEvent,
  deps: Deps,
  kind: (apis: KubeApis) => PolicyKind<T>,
  desired: (workload: Workload, namespace: string, deny: string) => T,
): Promise<ActionResult> {
  const apis = await deps.clients.kubernetes();
  const { pod, namespace, workload } = await eventWorkload(apis, event);
  const policies = kind(apis);
  const done = await upsertPolicy(policies, workload.name, namespace, desired(workload, namespace, remoteHostCidr(event)));
  return {
    status: 'success',
    result: `the ${policies.noun} '${workload.name}' in the namespace '${namespace}' has been ${done}`,
    objects: { pod: pod.metadata?.name ?? '', namespace },
  };
}

/** The checks of both (reference §1.4): the pod exists and the event names a remote IP. */
export async function checkPodAndRemoteIp(event: FalcoEvent, deps: Deps): Promise<void> {
  await getEventPod(await deps.clients.kubernetes(), event);
  remoteHostCidr(event);
}

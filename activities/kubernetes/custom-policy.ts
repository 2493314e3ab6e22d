import { z } from 'zod';
import type { KubeApis } from './client.ts';
import type { PolicyKind, PolicyObject } from './managed-policy.ts';

// Calico and Cilium policies go through the API's custom-object endpoints, which answer untyped
// JSON: what comes back is parsed here, at the edge, keeping every field it does not know.

const metadata = z
  .object({ labels: z.record(z.string(), z.string()).optional(), resourceVersion: z.string().optional() })
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
    ...selector,
  };
}

/** The items of both lists, each once, in first-seen order. */
export function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

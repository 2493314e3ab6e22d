import { z } from 'zod';

// What kubernetes:label and kubernetes:annotation share in their specs: pure, loaded without the
// Kubernetes client.

/** Which metadata map an actionner writes, and the past participle its result text uses. */
export interface MetadataKind {
  readonly field: 'labels' | 'annotations';
  readonly done: 'labeled' | 'annotated';
}

/** The event's pod (`pod`, the default) or the node it runs on (`node`). */
export const level = z.enum(['pod', 'node']).default('pod').describe("`pod`: the event's pod; `node`: the node it runs on.");

// Kubernetes' qualified-name syntax for label and annotation keys: an optional DNS-subdomain prefix
// and '/', then a name of at most 63 characters. Checked at rule load, not as a 422 at run time.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? (parts[0] ?? '') : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

/** A label value: empty, or at most 63 characters that start and end alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

/**
 * A `key: value` map parameter. YAML may give `version: 2` or `enabled: true`; Kubernetes stores
 * text, so numbers and booleans become their text. `null` and `""` mean "remove the key".
 */
export function metadataMap(noun: 'label' | 'annotation', validValue: (value: string) => boolean = () => true) {
  const value = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v)));
  const missing = { error: (issue: { input?: unknown }) => (issue.input === undefined ? `required, with at least one ${noun}` : undefined) };
  return z.record(z.string(), value, missing).superRefine((map, ctx) => {
    for (const [key, text] of Object.entries(map)) {
      if (!isQualifiedName(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `'${key}' is not a valid ${noun} key ([prefix/]name: name at most 63 alphanumerics, '-', '_', '.')`,
        });
      } else if (!validValue(text)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `'${text}' is not a valid ${noun} value (at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric)`,
        });
      }
    }
  });
}

/** The reference's own wording for an empty map: `parameter 'labels' should have at least one label`. */
export function atLeastOneMessage(kind: MetadataKind): string {
  return `parameter '${kind.field}' should have at least one ${kind.field.slice(0, -1)}`;
}

/** What kubernetes:label and kubernetes:annotation share besides the patched field. */
export const metadataActionner = {
  category: 'kubernetes',
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: false,
  // Nodes only serve `level: node`; a ClusterRole for pod-level rules may drop them. `get` on
  // nodes reads the before-state of a time-boxed (`expire_after:`) action.
  permissions: {
    kubernetes: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
    ],
  },
  timeout: '30s',
} as const;

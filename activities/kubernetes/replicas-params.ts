import { z } from 'zod';

// `min_healthy_replicas` and the owner RBAC that terminate and drain declare in their specs.

/** `min_healthy_replicas` once parsed: `3` → {value: 3, percent: false}; `50%` → {value: 50, percent: true}. */
export interface MinHealthyReplicas {
  readonly value: number;
  readonly percent: boolean;
}

/**
 * `min_healthy_replicas`: `N` or `N%` (0–100%). A bare YAML number is accepted as `N`, and `""` as
 * unset, as the reference does.
 */
export const minHealthyReplicasParam = z
  .union([z.number().int().min(0), z.string().regex(/^(\d+%?)?$/, "must be 'N' or 'N%'")])
  .refine((raw) => typeof raw === 'number' || !raw.endsWith('%') || Number.parseInt(raw, 10) <= 100, 'a percentage must be between 0% and 100%')
  .transform((raw): MinHealthyReplicas | undefined => {
    if (typeof raw === 'number') return { value: raw, percent: false };
    if (raw === '') return undefined;
    return { value: Number.parseInt(raw, 10), percent: raw.endsWith('%') };
  })
  .optional()
  .describe("`N` or `N%` of the owner's desired replicas that must stay healthy (rounded up); unset, no check.");

export function minHealthyText(min: MinHealthyReplicas): string {
  return `${min.value}${min.percent ? '%' : ''}`;
}

/** RBAC for replicaCounts (replicas.ts): reading the owners whose replica counts it knows. */
export const replicaOwnerRules = [
  { apiGroups: ['apps'], resources: ['replicasets', 'statefulsets', 'daemonsets'], verbs: ['get'] },
  { apiGroups: [''], resources: ['replicationcontrollers'], verbs: ['get'] },
] as const;

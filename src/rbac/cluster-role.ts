import { stringify } from 'yaml';
import type { Permissions } from '../contract/index.ts';

/** One component (actionner, output or notifier) and what it needs. */
export interface PermissionSource {
  readonly kind: 'actionner' | 'output' | 'context' | 'notifier';
  readonly name: string;
  readonly permissions: Permissions;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The least-privilege ClusterRole for the given components: every (apiGroup, resource) gets the
 * union of the verbs its users need and nothing else; resources of one group with the same verbs
 * share a rule. Sorted, so the same rules always give the same YAML (reviewable diffs).
 */
export function clusterRoleRules(sources: readonly PermissionSource[]): PolicyRule[] {
  const verbs = new Map<string, Set<string>>(); // `${group}\0${resource}` → verbs
  for (const source of sources) {
    for (const rule of source.permissions.kubernetes ?? []) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const key = `${group}\0${resource}`;
          const set = verbs.get(key) ?? new Set<string>();
          for (const verb of rule.verbs) set.add(verb);
          verbs.set(key, set);
        }
      }
    }
  }
  const grouped = new Map<string, PolicyRule>(); // `${group}\0${verbs}` → rule
  for (const key of [...verbs.keys()].sort(byText)) {
    const [group = '', resource = ''] = key.split('\0');
    const sortedVerbs = [...(verbs.get(key) ?? [])].sort(byText);
    const groupKey = `${group}\0${sortedVerbs.join(',')}`;
    const rule = grouped.get(groupKey);
    if (rule) rule.resources.push(resource);
    else grouped.set(groupKey, { apiGroups: [group], resources: [resource], verbs: sortedVerbs });
  }
  return [...grouped.values()].sort((a, b) => byText(`${a.apiGroups[0]}\0${a.resources[0]}`, `${b.apiGroups[0]}\0${b.resources[0]}`));
}

/** Cloud (IAM) permissions of the components, sorted and de-duplicated. */
export function iamActions(sources: readonly PermissionSource[]): string[] {
  return [...new Set(sources.flatMap((s) => s.permissions.iam ?? []))].sort(byText);
}

/** The ClusterRole manifest as YAML, with a comment naming the components it was derived from. */
export function clusterRoleYaml(sources: readonly PermissionSource[], name = 'falco-talon'): string {
  const users = sources.filter((s) => (s.permissions.kubernetes ?? []).length > 0).map((s) => `${s.kind} ${s.name}`);
  const header = [`# Least-privilege ClusterRole for: ${users.length > 0 ? users.join(', ') : 'nothing that calls Kubernetes'}`];
  const iam = iamActions(sources);
  if (iam.length > 0) header.push(`# Cloud permissions (not Kubernetes RBAC) also needed: ${iam.join(', ')}`);
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: clusterRoleRules(sources),
  };
  return `${header.join('\n')}\n${stringify(role)}`;
}

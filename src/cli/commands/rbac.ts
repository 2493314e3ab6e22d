import { catalog, findActionner, findContext, findNotifier, findOutput } from '../../../activities/specs.ts';
import type { TalonConfig } from '../../config/schema.ts';
import { clusterRoleYaml, type PermissionSource } from '../../rbac/cluster-role.ts';
import { notifiersInUse } from '../../roles/notifier-config.ts';
import { loadRules } from '../../rules/index.ts';
import type { CommandResult } from './result.ts';

/**
 * `rbac`: the minimal ClusterRole for what the rules use — their actionners, output targets,
 * additional contexts and notifiers (rules' and `default_notifiers`) — derived from each spec's `permissions`.
 */
export async function rbac(config: TalonConfig, roleName?: string): Promise<CommandResult> {
  const loaded = await loadRules(config.rules_files, catalog);
  if (!loaded.ok) return { stdout: '', stderr: `${loaded.errors.map(String).join('\n')}\ninvalid rules\n`, code: 1 };
  const rules = loaded.ruleSet.rules;
  const sources: PermissionSource[] = [];
  const seen = new Set<string>();
  const add = (kind: PermissionSource['kind'], name: string, permissions: PermissionSource['permissions'] | undefined) => {
    if (!permissions || seen.has(`${kind}:${name}`)) return;
    seen.add(`${kind}:${name}`);
    sources.push({ kind, name, permissions });
  };
  for (const rule of rules) {
    for (const action of rule.actions) {
      add('actionner', action.actionner, findActionner(action.actionner)?.permissions);
      if (action.output) add('output', action.output.target, findOutput(action.output.target)?.permissions);
      // Only actionners that use contexts fetch them (reference §5.3); others ignore the list.
      if (findActionner(action.actionner)?.usesContext) {
        for (const context of action.additionalContexts) add('context', context, findContext(context)?.permissions);
      }
    }
  }
  for (const name of notifiersInUse(config, rules)) add('notifier', name, findNotifier(name)?.permissions);
  return { stdout: clusterRoleYaml(sources, roleName), stderr: '', code: 0 };
}

import { findNotifier } from '../../activities/specs.ts';
import type { TalonConfig } from '../config/schema.ts';
import type { RuleSpec } from '../rules/types.ts';

/** Notifier names in use: `default_notifiers` and every rule's `notifiers`. */
export function notifiersInUse(config: TalonConfig, rules: readonly RuleSpec[]): string[] {
  return [...new Set([...config.default_notifiers, ...rules.flatMap((rule) => rule.notifiers)])];
}

/**
 * Checks each notifier in use has a valid `notifiers.<name>` section, so a misconfiguration is
 * caught at start-up / `rules check`, not at the first alert. Returns `key: reason` lines.
 */
export function checkNotifierConfigs(config: TalonConfig, names: readonly string[]): string[] {
  const errors: string[] = [];
  for (const name of names) {
    const descriptor = findNotifier(name);
    if (!descriptor) {
      errors.push(`default_notifiers: unknown notifier '${name}'`);
      continue;
    }
    const section = config.notifiers[name];
    // A notifier without keys (k8sevents) needs no section; for the others the schema's required
    // keys make an absent section an error naming them.
    const parsed = descriptor.config.safeParse(section ?? {});
    if (!section && !parsed.success) {
      errors.push(`notifiers.${name}: missing configuration for notifier '${name}'`);
      continue;
    }
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push(`notifiers.${name}.${issue.path.join('.') || '(section)'}: ${issue.message}`);
    }
  }
  return errors;
}

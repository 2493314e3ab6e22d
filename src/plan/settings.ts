import type { TalonConfig } from '../config/schema.ts';
import type { PlanSettings } from './plan.ts';

/** The planner's settings from the configuration; `uiBaseUrl` falls back to the embedded UI's. */
export function planSettingsFrom(config: TalonConfig, embeddedUiUrl?: string): PlanSettings {
  const { governor } = config;
  const uiBaseUrl = config.ui_base_url ?? embeddedUiUrl;
  return {
    defaultNotifiers: config.default_notifiers,
    dedupWindowSeconds: config.deduplication.time_window_seconds,
    identifiersInSearchAttributes: config.encryption.identifiers_in_search_attributes,
    governor: { destructive: governor.destructive, limits: governor.limits, overBudget: governor.over_budget, approval: governor.approval },
    links: { uiBaseUrl, publicUrl: config.public_url, namespace: config.temporal.namespace },
  };
}

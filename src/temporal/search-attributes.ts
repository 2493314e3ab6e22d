import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Imported by workflow code too: definitions only, no I/O.

/** Custom search attributes of playbook workflows, so the UI can filter "pods terminated in ns X". */
export const SEARCH_ATTRIBUTES = {
  falcoRule: defineSearchAttributeKey('FalcoRule', SearchAttributeType.KEYWORD),
  falcoPriority: defineSearchAttributeKey('FalcoPriority', SearchAttributeType.KEYWORD),
  falcoSource: defineSearchAttributeKey('FalcoSource', SearchAttributeType.KEYWORD),
  falcoHostname: defineSearchAttributeKey('FalcoHostname', SearchAttributeType.KEYWORD),
  k8sNamespace: defineSearchAttributeKey('K8sNamespace', SearchAttributeType.KEYWORD),
  k8sPod: defineSearchAttributeKey('K8sPod', SearchAttributeType.KEYWORD),
  talonRules: defineSearchAttributeKey('TalonRules', SearchAttributeType.KEYWORD_LIST),
  talonActionners: defineSearchAttributeKey('TalonActionners', SearchAttributeType.KEYWORD_LIST),
  talonDryRun: defineSearchAttributeKey('TalonDryRun', SearchAttributeType.BOOL),
  talonOutcome: defineSearchAttributeKey('TalonOutcome', SearchAttributeType.KEYWORD),
  /** The run's one-line summary (`Falco rule → ns/pod: actionners`), a column the UI's workflow list can show. */
  talonSummary: defineSearchAttributeKey('TalonSummary', SearchAttributeType.KEYWORD),
  /** On containment workflows: until when the containment holds (cleared once it is over). */
  talonContainedUntil: defineSearchAttributeKey('TalonContainedUntil', SearchAttributeType.DATETIME),
} as const;

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` takes them. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', BOOL: 'Bool', DATETIME: 'Datetime' };
  return Object.values(SEARCH_ATTRIBUTES).flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

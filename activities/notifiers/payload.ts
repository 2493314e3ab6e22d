import type { Report } from '../../src/contract/index.ts';

/** `pod` → `Pod`, `networkpolicy` → `Networkpolicy`, as Talon shows object keys to people. */
export function titleCase(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/**
 * The report with Talon's snake_case keys, empty values omitted (webhook and Elasticsearch
 * payloads), plus `artifact` {location, size, sha256} when an output stored one.
 */
export function snakeCaseReport(report: Report): Record<string, unknown> {
  const objects = Object.fromEntries(Object.entries(report.objects).map(([k, v]) => [titleCase(k), v]));
  const fields: Record<string, unknown> = {
    objects: Object.keys(objects).length > 0 ? objects : undefined,
    trace_id: report.traceId,
    rule: report.rule,
    event: report.event,
    message: report.message,
    status: report.status,
    error: report.error,
    result: report.result,
    output: report.output,
    output_target: report.outputTarget,
    category: report.category,
    actionner: report.actionner,
    action: report.action,
    artifact: report.artifact,
    links: report.links,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

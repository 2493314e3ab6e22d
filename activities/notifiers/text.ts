import type { Report, StoredArtifact } from '../../src/contract/index.ts';
import { titleCase } from './payload.ts';

/** A labelled value as people read it in a mail, a Slack field or a log line. */
export type Row = readonly [label: string, value: string];

/** Talon's colours (reference §8.2), shared by the Slack attachment and the HTML mail. */
export const STATUS_COLORS: Readonly<Record<Report['status'], string>> = {
  failure: '#e20b0b',
  success: '#23ba47',
  ignored: '#a4a8b1',
  pending: '#f5a623',
};

/** Object rows, keys title-cased and sorted so every message lists them in the same order. */
export function objectRows(objects: Report['objects']): Row[] {
  return Object.keys(objects)
    .sort()
    .flatMap((key): Row[] => (objects[key] ? [[titleCase(key), objects[key]]] : []));
}

/** Where an output stored the artifact: the bytes never reach a notifier, their location does. */
export function artifactRows(artifact: StoredArtifact | undefined): Row[] {
  if (!artifact) return [];
  return [
    ['Artifact', artifact.location],
    ['Artifact Size', `${artifact.size} bytes`],
    ['Artifact SHA256', artifact.sha256],
  ];
}

function optional(label: string, value: string | undefined): Row[] {
  return value ? [[label, value]] : [];
}

/**
 * The report's lines in the order of Talon's mail body (reference §8.2): Status, Action?,
 * Actionner?, Rule?, Event?, Message, objects, Error?, Output?, OutputTarget?, Trace ID?, then the
 * artifact. Empty values are left out.
 */
export function reportRows(report: Report): Row[] {
  return [
    ['Status', report.status],
    ...optional('Action', report.action),
    ...optional('Actionner', report.actionner),
    ...optional('Rule', report.rule),
    ...optional('Event', report.event),
    ['Message', report.message],
    ...objectRows(report.objects),
    ...optional('Error', report.error),
    ...optional('Output', report.output),
    ...optional('OutputTarget', report.outputTarget),
    ...optional('Trace ID', report.traceId),
    ...artifactRows(report.artifact),
    ...optional('Run', report.links?.run),
    ...optional('Approve', report.links?.approve),
  ];
}

/**
 * `[<status>][<message>] OutputTarget '<t>' Action '<a>' Rule '<r>'`, parts only when set: the
 * mail subject after `[falco-talon]`, and the Loki line when there is no error or output.
 */
export function summary(report: Report): string {
  const parts = [
    `[${report.status}][${report.message}]`,
    ...(report.outputTarget ? [`OutputTarget '${report.outputTarget}'`] : []),
    ...(report.action ? [`Action '${report.action}'`] : []),
    ...(report.rule ? [`Rule '${report.rule}'`] : []),
  ];
  return parts.join(' ');
}

/** Plain text, one `Label: value` per line; multi-line values (logs) start on the next line. */
export function textBody(rows: readonly Row[]): string {
  return rows.map(([label, value]) => (value.includes('\n') ? `${label}:\n${value}` : `${label}: ${value}`)).join('\n') + '\n';
}

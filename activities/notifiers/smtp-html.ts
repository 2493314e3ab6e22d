import type { Report } from '../../src/contract/index.ts';
import { STATUS_COLORS, type Row } from './text.ts';

/** Alert text is attacker-controlled (a process name, a file path): escape everything interpolated. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const LABEL = 'background-color:#858585;color:#fff;font-weight:bold;white-space:nowrap;vertical-align:top';
const VALUE = 'background-color:#d1d6da';

function row([label, value]: Row): string {
  // Logs keep their line breaks in a <pre>; short values stay inline.
  const cell = value.includes('\n') ? `<pre style="margin:0;white-space:pre-wrap">${escapeHtml(value)}</pre>` : escapeHtml(value);
  return `<tr><td style="${LABEL}">${escapeHtml(label)}</td><td style="${VALUE}">${cell}</td></tr>`;
}

/**
 * The HTML part: a status banner in Talon's colours over a two-column table with the same rows as the
 * text part. Inline styles only, as mail clients drop `<style>` blocks.
 */
export function htmlBody(report: Report, rows: readonly Row[]): string {
  const color = STATUS_COLORS[report.status];
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:arial,helvetica,sans-serif;font-size:13px">',
    '<table cellpadding="5" cellspacing="0" style="width:700px;border-collapse:collapse">',
    `<tr><td colspan="2" style="background-color:${color};color:#fff;text-align:center"><strong>${escapeHtml(report.status)}</strong></td></tr>`,
    ...rows.map(row),
    '</table>',
    '</body></html>',
    '',
  ].join('\n');
}

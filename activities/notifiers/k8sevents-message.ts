import type { Report } from '../../src/contract/index.ts';
import { titleCase } from './payload.ts';

/** The API server's limit on an event's message (and Talon's). */
export const MAX_MESSAGE_BYTES = 1024;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The longest prefix of `text` within `max` UTF-8 bytes, never splitting a character. */
function cutBytes(text: string, max: number): string {
  let size = 0;
  let end = 0;
  for (const char of text) {
    size += bytes(char);
    if (size > max) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Caps the longest lines (in practice Event, Output, Error) at one common length, found by binary
 * search, so that the text fits `max` bytes; a capped line keeps its `Key: ` and ends with `…`.
 */
function fit(lines: readonly string[], max: number): string {
  const capped = (cap: number) =>
    lines
      .map((line) => {
        if (bytes(line) <= cap) return line;
        const head = line.slice(0, line.indexOf(': ') + 2);
        return `${head}${cutBytes(line.slice(head.length), Math.max(0, cap - bytes(head) - bytes('…')))}…`;
      })
      .join('\n');
  if (bytes(capped(Infinity)) <= max) return capped(Infinity);
  let low = 0;
  let high = Math.max(...lines.map(bytes));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytes(capped(mid)) <= max) low = mid;
    else high = mid - 1;
  }
  // Only dozens of object lines could still overflow with every line capped.
  return cutBytes(capped(low), max);
}

/** Reference §8.2: one `Key: value` line per set field, objects sorted; `'` → `"` as the reference. */
export function eventMessage(report: Report): string {
  const line = (key: string, value: string | undefined) => (value ? [`${key}: ${value}`] : []);
  const objects = Object.entries(report.objects).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = [
    `Status: ${report.status}`,
    `Message: ${report.message}`,
    ...line('Rule', report.rule),
    ...line('Action', report.action),
    ...line('Actionner', report.actionner),
    ...line('Event', report.event),
    ...objects.flatMap(([key, value]) => line(titleCase(key), value)),
    ...line('Error', report.error),
    ...line('Output', report.output),
    ...line('OutputTarget', report.outputTarget),
    ...line('Artifact', report.artifact?.location),
    ...line('TraceID', report.traceId),
  ].map((l) => l.replaceAll("'", '"'));
  return fit(lines, MAX_MESSAGE_BYTES);
}

import { createHash } from 'node:crypto';

/**
 * `text` in at most `maxBytes` UTF-8 bytes: as it is when it fits, else its start, `…` and the
 * first 16 hex digits of its SHA-256, so two long values stay distinguishable. For search attributes
 * and the memo, which Temporal bounds; the workflow input keeps the value whole.
 */
export function clip(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const suffix = `…sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
  const room = Math.max(0, maxBytes - Buffer.byteLength(suffix, 'utf8'));
  // A cut inside a multi-byte character decodes to U+FFFD: drop it.
  const head = bytes
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return head + suffix;
}

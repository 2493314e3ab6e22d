import { createHash } from 'node:crypto';

/**
 * One part of a key (hostname, object value, artifact name), made a safe file/object name: these
 * come from the alert (unauthenticated ingest), so `/` and `\` become `_` (no path segments),
 * control characters are dropped, and a part that is only dots becomes `_`.
 */
function safePart(part: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are removed from object keys
  const clean = part.replace(/[\\/]/g, '_').replace(/[\u0000-\u001f\u007f]/g, '');
  return /^\.+$/.test(clean) ? '_' : clean;
}

/**
 * Object key of a stored artifact (reference §7): `<T>_<ns>_<pod>_<name>` for pod objects,
 * `<T>_<hostname>_<name>` otherwise, else `<T>_` + every object value but `file` (sorted by key).
 * `T` is UTC (`YYYY-MM-DDTHH-MM-SSZ`): the reference prints local time with a literal `Z`.
 * Every part goes through safePart, so a key is always a single path segment, and the whole fits
 * a file name (fitKey).
 */
export function artifactKey(objects: Readonly<Record<string, string>>, hostname: string, artifactName: string, now: Date = new Date()): string {
  return fitKey(buildKey(objects, hostname, artifactName, now));
}

/** File systems take 255 bytes a name; collision suffixes (`_1`) need a few more. */
const MAX_KEY_BYTES = 240;

/**
 * A key too long for a file name (a 253-character pod name, a long URL value) keeps its start (the
 * time, namespace, pod) and its end (the artifact name), with a hash of the whole in between, so it
 * stays unique and readable.
 */
function fitKey(key: string): string {
  if (Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const chars = [...key];
  const keep = (MAX_KEY_BYTES - hash.length - 2) / 2;
  let head = '';
  for (const c of chars) {
    if (Buffer.byteLength(head + c) > keep) break;
    head += c;
  }
  let tail = '';
  for (const c of chars.reverse()) {
    if (Buffer.byteLength(c + tail) > keep) break;
    tail = c + tail;
  }
  return `${head}~${hash}~${tail}`;
}

function buildKey(objects: Readonly<Record<string, string>>, hostname: string, artifactName: string, now: Date): string {
  const time = now.toISOString().slice(0, 19).replaceAll(':', '-') + 'Z';
  const name = safePart(artifactName);
  const lower = Object.fromEntries(Object.entries(objects).map(([k, v]) => [k.toLowerCase(), v]));
  if (lower.namespace && lower.pod) return `${time}_${safePart(lower.namespace)}_${safePart(lower.pod)}_${name}`;
  if (hostname) return `${time}_${safePart(hostname)}_${name}`;
  const values = Object.keys(lower)
    .filter((k) => k !== 'file')
    .sort()
    .map((k) => `${safePart(lower[k] ?? '')}_`)
    .join('');
  return `${time}_${values}${name}`;
}

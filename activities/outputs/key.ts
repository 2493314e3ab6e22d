/**
 * Object key of a stored artifact (reference §7): `<T>_<ns>_<pod>_<name>` for pod objects,
 * `<T>_<hostname>_<name>` otherwise, else `<T>_` + every object value but `file` (sorted by key).
 * `T` is UTC (`YYYY-MM-DDTHH-MM-SSZ`): the reference prints local time with a literal `Z`.
 */
export function artifactKey(
  objects: Readonly<Record<string, string>>,
  hostname: string,
  artifactName: string,
  now: Date = new Date(),
): string {
  const time = now.toISOString().slice(0, 19).replaceAll(':', '-') + 'Z';
  const name = artifactName.replaceAll('/', '_');
  const lower = Object.fromEntries(Object.entries(objects).map(([k, v]) => [k.toLowerCase(), v]));
  if (lower.namespace && lower.pod) return `${time}_${lower.namespace}_${lower.pod}_${name}`;
  if (hostname) return `${time}_${hostname}_${name}`;
  const values = Object.keys(lower)
    .filter((k) => k !== 'file')
    .sort()
    .map((k) => `${lower[k]}_`)
    .join('');
  return `${time}_${values}${name}`;
}

import { permanent } from '../errors.ts';
import { expand } from '../template.ts';

// The parts of a URL template, split on the rule's own text before any value is substituted, so a
// value can never move a boundary: a `/`, `?`, `#` or `@` in an alert value is data.
const PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/is;

/** A path value: percent-encoded, and never a whole `.`/`..` segment (URL parsers resolve those). */
function pathValue(value: string): string {
  if (value === '.' || value === '..') throw permanent('InvalidParameter', `an alert value '${value}' cannot stand for a path segment of the url`);
  return encodeURIComponent(value);
}

/**
 * Expands a URL template with each value percent-encoded for the part it lands in (host, path
 * segment, query, fragment), so an alert value cannot change the host, the path's structure, the
 * query or the fragment: `../../etc` becomes one segment `..%2F..%2Fetc`, `x?a=1&b=2#f` stays inside
 * its query value. Text that is not an absolute URL is expanded with every value encoded.
 */
export function expandUrl(template: string, vars: Readonly<Record<string, string>>): string {
  const parts = PARTS.exec(template);
  if (!parts) return expand(template, vars, encodeURIComponent);
  const [, scheme = '', authority = '', path = '', query = '', fragment = ''] = parts;
  return (
    scheme +
    expand(authority, vars, encodeURIComponent) +
    expand(path, vars, pathValue) +
    expand(query, vars, encodeURIComponent) +
    expand(fragment, vars, encodeURIComponent)
  );
}

import type { FalcoEvent, Json } from '../contract/index.ts';

// Pure functions only, and no Node import: the playbook workflow calls these inside Temporal's
// deterministic sandbox.

/**
 * A number in positional notation, never with an exponent (`1e21` → `1000000000000000000000`,
 * `1e-7` → `0.0000001`), using the same shortest digits as `String(n)`, so ports and PIDs read as
 * Falco wrote them.
 */
function plainNumber(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Text of an output-field value for templates and notifications: strings as they are, numbers
 * without exponent, booleans `true`/`false`, null as "" (a field Falco could not resolve), arrays
 * and objects as JSON.
 */
export function fieldText(value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return '';
  return JSON.stringify(value);
}

/**
 * The first usable value among `keys` (reference §1.3): strings and numbers are usable, any other
 * type or an absent key falls through to the next key, and an empty string ends the search.
 */
function firstField(event: FalcoEvent, keys: readonly string[]): string {
  for (const key of keys) {
    const value = Object.hasOwn(event.output_fields, key) ? event.output_fields[key] : undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return plainNumber(value);
  }
  return '';
}

/** `k8s.pod.name`, then `ka.target.pod.name`, then `ka.target.name`. */
export function podName(event: FalcoEvent): string {
  return firstField(event, ['k8s.pod.name', 'ka.target.pod.name', 'ka.target.name']);
}

/** `k8s.ns.name`, then `ka.target.namespace`. */
export function namespace(event: FalcoEvent): string {
  return firstField(event, ['k8s.ns.name', 'ka.target.namespace']);
}

/** The event's top-level `hostname`, not an output field. */
export function hostname(event: FalcoEvent): string {
  return event.hostname;
}

/** `ka.target.name` (Kubernetes audit events). */
export function targetName(event: FalcoEvent): string {
  return firstField(event, ['ka.target.name']);
}

/** `ka.target.namespace` (Kubernetes audit events). */
export function targetNamespace(event: FalcoEvent): string {
  return firstField(event, ['ka.target.namespace']);
}

/** `ka.target.resource`, e.g. `configmaps` (Kubernetes audit events). */
export function targetResource(event: FalcoEvent): string {
  return firstField(event, ['ka.target.resource']);
}

/** `fd.rip`, then `fd.sip`. */
export function remoteIp(event: FalcoEvent): string {
  return firstField(event, ['fd.rip', 'fd.sip']);
}

/** `fd.rport`, then `fd.sport`. */
export function remotePort(event: FalcoEvent): string {
  return firstField(event, ['fd.rport', 'fd.sport']);
}

/** `fd.rproto`, then `fd.sproto`. */
export function remoteProtocol(event: FalcoEvent): string {
  return firstField(event, ['fd.rproto', 'fd.sproto']);
}

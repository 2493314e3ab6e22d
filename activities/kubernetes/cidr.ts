import { isIPv4, isIPv6 } from 'node:net';

/** IPv4 as 4 bytes; dotted decimal only, no leading zeros (as Go's netip). */
function ipv4Bytes(text: string): number[] | undefined {
  return isIPv4(text) && !/(^|\.)0\d/.test(text) ? text.split('.').map(Number) : undefined;
}

/** IPv6 (with an optional embedded IPv4 tail) as 16 bytes; zones (`%eth0`) are refused, as Go's ParseCIDR does. */
function ipv6Bytes(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let groups = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail !== undefined) {
    const v4 = ipv4Bytes(tail);
    if (!v4) return undefined;
    groups = `${text.slice(0, -tail.length)}${((v4[0] ?? 0) * 256 + (v4[1] ?? 0)).toString(16)}:${((v4[2] ?? 0) * 256 + (v4[3] ?? 0)).toString(16)}`;
  }
  const [head = '', rest] = groups.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const words = [...left, ...Array<string>(zeros).fill('0'), ...right].map((w) => parseInt(w, 16));
  return words.length === 8 ? words.flatMap((w) => [w >> 8, w & 0xff]) : undefined;
}

function format(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The WHATWG URL parser prints IPv6 in RFC 5952 form (longest zero run as `::`).
  return new URL(`http://[${words.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * Parses `<ip>/<bits>` strictly, like Go's net.ParseCIDR (the reference's parser): an IPv4 or IPv6
 * address, no zone, a decimal prefix within the address length. Returns the canonical network
 * (`10.1.2.3/8` → `10.0.0.0/8`, `2001:DB8:0::1/32` → `2001:db8::/32`), which every API server
 * version accepts, or undefined when the text is not a CIDR.
 */
export function canonicalCidr(text: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const address = match[1] ?? '';
  const bits = Number(match[2]);
  const bytes = ipv4Bytes(address) ?? ipv6Bytes(address);
  if (!bytes || bits > bytes.length * 8) return undefined;
  const network = bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return `${format(network)}/${bits}`;
}

import { isIP } from 'node:net';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { permanent } from '../errors.ts';

/**
 * The "remote IP" check (reference §1.4): `fd.sip` or `fd.rip` present, each present one a string
 * that parses as an IP. Returns the IP to deny as a host CIDR: `/32`, or `/128` for IPv6 (the
 * reference wrote `/32` for both).
 */
export function remoteHostCidr(event: FalcoEvent): string {
  const fields = event.output_fields;
  const present = ['fd.rip', 'fd.sip'].filter((key) => Object.hasOwn(fields, key) && fields[key] !== null);
  if (present.length === 0) throw permanent('MissingRemoteIp', 'missing IP field(s) (fd.sip or fd.rip)');
  const ips = present.map((key) => {
    const value = fields[key];
    if (typeof value !== 'string' || isIP(value) === 0) throw permanent('WrongRemoteIp', `wrong value for ${key}`);
    return value;
  });
  const ip = ips[0] ?? '';
  return isIP(ip) === 6 ? `${ip}/128` : `${ip}/32`;
}

import { describe, expect, it } from 'vitest';
import { artifactKey } from '../../../activities/outputs/key.ts';

const now = new Date('2026-11-24T10:11:12.345Z');

describe('artifact keys (reference §7)', () => {
  it('uses namespace and pod when the objects have both', () => {
    expect(artifactKey({ pod: 'web-1', namespace: 'prod', file: '/etc/passwd' }, 'node-1', '/etc/passwd', now)).toBe(
      '2026-11-24T10-11-12Z_prod_web-1__etc_passwd',
    );
  });
  it('falls back to the hostname', () => {
    expect(artifactKey({ node: 'n' }, 'node-1', 'log', now)).toBe('2026-11-24T10-11-12Z_node-1_log');
  });
  it('else joins every object value but file, sorted by key', () => {
    expect(artifactKey({ b: '2', a: '1', file: 'f' }, '', 'out', now)).toBe('2026-11-24T10-11-12Z_1_2_out');
  });
  it('keeps every part one path segment: a hostname from the alert cannot climb out of the folder', () => {
    const key = artifactKey({}, '/../../outside/evil', 'log', now);
    expect(key).toBe('2026-11-24T10-11-12Z__.._.._outside_evil_log');
    expect(key).not.toContain('/');
    expect(artifactKey({}, '..', '..', now)).toBe('2026-11-24T10-11-12Z____');
    expect(artifactKey({ namespace: '..\\x', pod: 'p\n\u0000' }, '', 'a/b', now)).toBe('2026-11-24T10-11-12Z_.._x_p_a_b');
  });
  it('sanitises object values too (http:request objects hold a URL when the hostname is empty)', () => {
    const key = artifactKey({ url: 'https://tickets.example.com/api/../x', method: 'POST', status: '201' }, '', 'http-response', now);
    expect(key).toBe('2026-11-24T10-11-12Z_POST_201_https:__tickets.example.com_api_.._x_http-response');
    expect(key).not.toContain('/');
  });
  it('shortens a key too long for a file name, keeping its start, its artifact name and uniqueness', () => {
    const pod = `web-${'x'.repeat(249)}`;
    const key = artifactKey({ namespace: 'prod', pod }, '', 'tcpdump.pcap', now);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(240);
    expect(key.startsWith('2026-11-24T10-11-12Z_prod_web-xxx')).toBe(true);
    expect(key.endsWith('_tcpdump.pcap')).toBe(true);
    expect(key).toMatch(/~[0-9a-f]{16}~/);
    expect(artifactKey({ namespace: 'prod', pod: `${pod}y` }, '', 'tcpdump.pcap', now)).not.toBe(key);
    // Multi-byte characters are never cut in half.
    const wide = artifactKey({}, 'é'.repeat(200), 'log', now);
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(240);
    expect(wide).not.toContain('\ufffd');
    // Short keys are unchanged.
    expect(artifactKey({ namespace: 'prod', pod: 'web' }, '', 'log', now)).toBe('2026-11-24T10-11-12Z_prod_web_log');
  });
});

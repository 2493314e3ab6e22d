import { describe, expect, it } from 'vitest';
import { artifactKey } from '../../../activities/outputs/key.ts';

const now = new Date('2026-11-24T10:11:12.345Z');

describe('artifact keys (reference §7)', () => {
  it('uses namespace and pod when the objects have both', () => {
    expect(artifactKey({ pod: 'web-1', namespace: 'prod', file: '/etc/passwd' }, 'node-1', '/etc/passwd', now)).toBe('2026-11-24T10-11-12Z_prod_web-1__etc_passwd');
  });
  it('falls back to the hostname', () => {
    expect(artifactKey({ node: 'n' }, 'node-1', 'log', now)).toBe('2026-11-24T10-11-12Z_node-1_log');
  });
  it('else joins every object value but file, sorted by key', () => {
    expect(artifactKey({ b: '2', a: '1', file: 'f' }, '', 'out', now)).toBe('2026-11-24T10-11-12Z_1_2_out');
  });
});

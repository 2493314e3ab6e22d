import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/events/decode.ts';
import { workflowIdFor } from '../../src/events/id.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';

function decoded(payload: object): FalcoEvent {
  const result = decodeEvent(JSON.stringify(payload));
  if (!result.ok) throw new Error(result.error);
  return result.event;
}

describe('workflowIdFor', () => {
  it('is falco- and the sha256 hex of the stripped output', () => {
    const event = decoded({ output: '12:34:56.123456789: Critical Shell', priority: 'Critical', rule: 'r' });
    expect(workflowIdFor(event)).toBe(`falco-${createHash('sha256').update('Shell').digest('hex')}`);
    expect(workflowIdFor(event)).toMatch(/^falco-[0-9a-f]{64}$/);
  });

  it('is the same for the same alert text raised at another time, host or rule', () => {
    const a = decoded({ output: '12:34:56.123456789: Critical Shell', priority: 'Critical', rule: 'r1', hostname: 'a' });
    const b = decoded({ output: '23:59:59.000000001: Warning Shell', priority: 'Warning', rule: 'r2', hostname: 'b', time: '2024-01-01T00:00:00Z' });
    expect(workflowIdFor(a)).toBe(workflowIdFor(b));
  });

  it('is the same for an output with leading whitespace, as Falco Talon trims it', () => {
    const plain = decoded({ output: '12:34:56.123456789: Critical Shell', priority: 'Critical', rule: 'r' });
    for (const output of [' 12:34:56.123456789: Critical Shell', '\t\n  Shell', '  Shell']) {
      expect(workflowIdFor(decoded({ output, priority: 'Critical', rule: 'r' }))).toBe(workflowIdFor(plain));
    }
  });

  it('differs when the alert text differs', () => {
    const a = decoded({ output: 'Shell (pod=a)', priority: 'Critical', rule: 'r' });
    const b = decoded({ output: 'Shell (pod=b)', priority: 'Critical', rule: 'r' });
    expect(workflowIdFor(a)).not.toBe(workflowIdFor(b));
  });
});

import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/events/decode.ts';
import type { FalcoEvent } from '../../src/contract/index.ts';

const minimal = { output: '12:34:56.123456789: Critical Shell in container', priority: 'Critical', rule: 'Terminal shell' };

function decoded(payload: unknown): FalcoEvent {
  const result = decodeEvent(JSON.stringify(payload));
  if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
  return result.event;
}

function errorOf(body: string): string {
  const result = decodeEvent(body);
  if (result.ok) throw new Error('expected a decode error');
  return result.error;
}

describe('decodeEvent', () => {
  it('decodes a falcosidekick payload, ignoring uuid, trace_id and context', () => {
    const event = decoded({
      uuid: '0b4c0a5e-1111-2222-3333-444455556666',
      trace_id: 'abc',
      context: { x: 'y' },
      output: '12:34:56.123456789: Critical Shell in container (user=root)',
      priority: 'Critical',
      rule: 'Terminal shell in container',
      time: '2024-05-06T07:08:09.123456789Z',
      source: 'syscall',
      hostname: 'node-1',
      tags: ['container', 'shell'],
      output_fields: { 'k8s.pod.name': 'web-1', 'fd.rport': 8080, 'evt.arg.flags': null, nested: { a: [1, true] } },
    });
    expect(event).toEqual({
      output: 'Shell in container (user=root)',
      priority: 'Critical',
      rule: 'Terminal shell in container',
      time: '2024-05-06T07:08:09.123456789Z',
      source: 'syscall',
      hostname: 'node-1',
      tags: ['container', 'shell'],
      output_fields: { 'k8s.pod.name': 'web-1', 'fd.rport': 8080, 'evt.arg.flags': null, nested: { a: [1, true] } },
    });
  });

  it('fills defaults for the optional fields', () => {
    expect(decoded(minimal)).toEqual({
      output: 'Shell in container',
      priority: 'Critical',
      rule: 'Terminal shell',
      hostname: '',
      time: null,
      source: 'syscall',
      output_fields: {},
      tags: [],
    });
  });

  it('matches keys case-insensitively', () => {
    const event = decoded({ OUTPUT: 'x', Priority: 'Notice', Rule: 'R', HostName: 'h', Output_Fields: { a: 'b' } });
    expect([event.output, event.priority, event.rule, event.hostname, event.output_fields]).toEqual(['x', 'Notice', 'R', 'h', { a: 'b' }]);
  });

  it('prefers the exactly lower-case key over a differently cased duplicate', () => {
    expect(decoded({ ...minimal, rule: 'exact', RULE: 'upper' }).rule).toBe('exact');
    expect(decoded({ RULE: 'upper', ...minimal, rule: 'exact' }).rule).toBe('exact');
  });

  it('treats null as absent', () => {
    const event = decoded({ ...minimal, hostname: null, time: null, source: null, output_fields: null, tags: null });
    expect([event.hostname, event.time, event.source, event.output_fields, event.tags]).toEqual(['', null, 'syscall', {}, []]);
  });

  it('uses syscall when the source is empty', () => {
    expect(decoded({ ...minimal, source: '' }).source).toBe('syscall');
    expect(decoded({ ...minimal, source: 'k8s_audit' }).source).toBe('k8s_audit');
  });

  it('normalises the time to UTC and keeps its fraction', () => {
    expect(decoded({ ...minimal, time: '2024-01-01T01:30:00+02:00' }).time).toBe('2023-12-31T23:30:00Z');
    expect(decoded({ ...minimal, time: '2024-02-29t10:00:00.5z' }).time).toBe('2024-02-29T10:00:00.5Z');
  });

  it.each(['yesterday', '2024-01-01', '2024-01-01 10:00:00Z', '2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T10:00:60Z'])(
    'rejects a time that is not RFC 3339: %s',
    (time) => {
      expect(errorOf(JSON.stringify({ ...minimal, time }))).toBe("field 'time' is not an RFC 3339 time");
    },
  );

  it('converts non-string tags with String()', () => {
    expect(decoded({ ...minimal, tags: ['a', 1, true, null] }).tags).toEqual(['a', '1', 'true', 'null']);
  });

  it.each([
    ['output', "field 'output' is required"],
    ['rule', "field 'rule' is required"],
    ['priority', "field 'priority' is required"],
  ])('requires %s', (field, message) => {
    const payload: Record<string, unknown> = { ...minimal };
    delete payload[field];
    expect(errorOf(JSON.stringify(payload))).toBe(message);
  });

  it.each([
    [{ output: 42 }, "field 'output' must be a string"],
    [{ priority: '' }, "field 'priority' must not be empty"],
    [{ hostname: 1 }, "field 'hostname' must be a string"],
    [{ time: 1 }, "field 'time' must be a string"],
    [{ output_fields: [] }, "field 'output_fields' must be an object"],
    [{ output_fields: 'a=b' }, "field 'output_fields' must be an object"],
    [{ tags: 'container' }, "field 'tags' must be an array"],
  ])('rejects a field of the wrong type: %j', (patch, message) => {
    expect(errorOf(JSON.stringify({ ...minimal, ...patch }))).toBe(message);
  });

  it('names every wrong field in one error', () => {
    expect(errorOf('{"rule": 1}')).toBe("field 'output' is required; field 'priority' is required; field 'rule' must be a string");
  });

  it('rejects an empty body', () => {
    expect(errorOf('')).toBe('empty body');
    expect(errorOf(' \n')).toBe('empty body');
  });

  it('rejects invalid JSON with the parser message', () => {
    expect(errorOf('{"output": ')).toMatch(/^invalid JSON: .+/);
  });

  it.each([
    ['[]', 'array'],
    ['"text"', 'string'],
    ['3', 'number'],
    ['null', 'null'],
  ])('rejects a JSON value that is not an object: %s', (body, kind) => {
    expect(errorOf(body)).toBe(`expected a JSON object, got ${kind}`);
  });

  it('returns a deeply frozen event', () => {
    const result = decodeEvent(JSON.stringify({ ...minimal, tags: ['a'], output_fields: { n: { m: [1] } } }));
    expect(Object.isFrozen(result)).toBe(true);
    if (!result.ok) throw new Error(result.error);
    const fields = result.event.output_fields;
    expect([Object.isFrozen(result.event), Object.isFrozen(result.event.tags), Object.isFrozen(fields)]).toEqual([true, true, true]);
    expect(Object.isFrozen(fields.n)).toBe(true);
  });

  it('returns a frozen error result', () => {
    expect(Object.isFrozen(decodeEvent(''))).toBe(true);
  });
});

describe('integers beyond 2^53', () => {
  it('are decoded as their digits; safe integers, fractions, exponents and strings are untouched', () => {
    const decoded = decodeEvent(
      '{"output":"x","priority":"Warning","rule":"r","output_fields":{"a":1717000000123456789,"b":-9007199254740993,"c":9007199254740991,"d":1.5e300,"e":"12345678901234567890","f":[18446744073709551615, 3]}}',
    );
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.event.output_fields).toEqual({
      a: '1717000000123456789',
      b: '-9007199254740993',
      c: 9007199254740991,
      d: 1.5e300,
      e: '12345678901234567890',
      f: ['18446744073709551615', 3],
    });
  });
});

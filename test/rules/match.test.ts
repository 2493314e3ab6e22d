import { describe, expect, it } from 'vitest';
import { compileMatch } from '../../src/rules/compile.ts';
import { fieldValueEquals, matchesEvent } from '../../src/rules/match.ts';
import type { Located, RawMatch } from '../../src/rules/raw.ts';
import type { MatchSpec } from '../../src/rules/types.ts';
import { event } from './helpers.ts';

const at = (value: string): Located<string> => ({ value, pos: { file: 'inline', line: 1 } });

/** Compiles a match block from its text form, as a rule file would give it. */
function match(spec: { rules?: string[]; priority?: string; source?: string; tags?: string[]; output_fields?: string[] }): MatchSpec {
  const raw: RawMatch = {
    rules: (spec.rules ?? []).map(at),
    tags: (spec.tags ?? []).map(at),
    outputFields: (spec.output_fields ?? []).map(at),
    ...(spec.priority === undefined ? {} : { priority: at(spec.priority) }),
    ...(spec.source === undefined ? {} : { source: at(spec.source) }),
  };
  return compileMatch(raw);
}

describe('matching an event against a rule (§4.1)', () => {
  it('matches every event when the rule has no criteria', () => {
    expect(matchesEvent(match({}), event({ priority: '', source: 'k8s_audit' }))).toBe(true);
  });

  it('matches Falco rule names exactly (case-sensitive), any of the list', () => {
    const m = match({ rules: ['Terminal shell in container', 'Write below etc'] });
    expect(matchesEvent(m, event({ rule: 'Write below etc' }))).toBe(true);
    expect(matchesEvent(m, event({ rule: 'terminal shell in container' }))).toBe(false);
    expect(matchesEvent(m, event({ rule: 'Terminal shell in container ' }))).toBe(false);
  });

  it('matches the source exactly', () => {
    expect(matchesEvent(match({ source: 'syscall' }), event())).toBe(true);
    expect(matchesEvent(match({ source: 'k8s_audit' }), event())).toBe(false);
  });

  it('requires every criterion to hold', () => {
    const m = match({ rules: ['Terminal shell in container'], priority: '>=Warning', source: 'syscall', tags: ['container'] });
    expect(matchesEvent(m, event({ tags: ['container'] }))).toBe(true);
    expect(matchesEvent(m, event({ tags: ['container'], priority: 'Notice' }))).toBe(false);
    expect(matchesEvent(m, event({ tags: [] }))).toBe(false);
  });
});

describe('priority comparisons (§4.2)', () => {
  const holds = (rule: string, eventPriority: string): boolean => matchesEvent(match({ priority: rule }), event({ priority: eventPriority }));

  it.each([
    ['Warning', 'Warning', true],
    ['Warning', 'warning', true],
    ['=Warning', 'Error', false],
    ['>Warning', 'Error', true],
    ['>Warning', 'Warning', false],
    ['>=Warning', 'Warning', true],
    ['>=Warning', 'Notice', false],
    ['<Warning', 'Notice', true],
    ['<Warning', 'Warning', false],
    ['<=warning', 'Warning', true],
    ['<=Warning', 'Error', false],
    ['>=Informational', 'Informational', true],
    ['>Critical', 'Emergency', true],
    ['Debug', 'Debug', true],
  ])('rule %s against event %s: %s', (rule, eventPriority, expected) => {
    expect(holds(rule, eventPriority)).toBe(expected);
  });

  it('always holds when the rule rank is 0 (empty, or an operator alone)', () => {
    for (const rule of ['', '>=', '<', '=']) {
      expect(holds(rule, 'Debug')).toBe(true);
      expect(holds(rule, '')).toBe(true);
    }
  });

  it('still compares an event of rank 0 (missing or unknown priority)', () => {
    expect(holds('<Error', '')).toBe(true);
    expect(holds('<Error', 'Info')).toBe(true);
    expect(holds('>=Debug', '')).toBe(false);
    expect(holds('Warning', 'Info')).toBe(false);
  });
});

describe('tags (§4.1)', () => {
  it('needs one item whose AND-set is all present; items are OR-ed', () => {
    const m = match({ tags: ['container, mitre_execution', 'k8s'] });
    expect(matchesEvent(m, event({ tags: ['mitre_execution', 'container', 'shell'] }))).toBe(true);
    expect(matchesEvent(m, event({ tags: ['k8s'] }))).toBe(true);
    expect(matchesEvent(m, event({ tags: ['container'] }))).toBe(false);
  });

  it('does not let duplicate event tags satisfy an AND-set (fixed quirk)', () => {
    const m = match({ tags: ['container, mitre_execution'] });
    expect(matchesEvent(m, event({ tags: ['container', 'container'] }))).toBe(false);
  });

  it('treats duplicate rule tags as one', () => {
    expect(matchesEvent(match({ tags: ['container, container'] }), event({ tags: ['container'] }))).toBe(true);
  });

  it('compares tags case-sensitively', () => {
    expect(matchesEvent(match({ tags: ['Container'] }), event({ tags: ['container'] }))).toBe(false);
  });
});

describe('output_fields (§4.1, §4.3)', () => {
  const fields = { 'k8s.ns.name': 'prod', 'proc.cmdline': 'sh -c /bin/ls | grep x:y', 'fd.sport': 8080, 'evt.is_open_write': true, 'user.name': null };
  const holds = (item: string): boolean => matchesEvent(match({ output_fields: [item] }), event({ output_fields: fields }));

  it('holds for = on an equal value and fails on an absent key', () => {
    expect(holds('k8s.ns.name=prod')).toBe(true);
    expect(holds('k8s.ns.name=dev')).toBe(false);
    expect(holds('k8s.pod.name=x')).toBe(false);
  });

  it('holds for != on a different value and on an absent key', () => {
    expect(holds('k8s.ns.name!=dev')).toBe(true);
    expect(holds('k8s.ns.name!=prod')).toBe(false);
    expect(holds('k8s.pod.name!=x')).toBe(true);
  });

  it('compares values with spaces, slashes, pipes and colons, and strips double quotes', () => {
    expect(holds('proc.cmdline=sh -c /bin/ls | grep x:y')).toBe(true);
    expect(holds('proc.cmdline="sh -c /bin/ls | grep x:y"')).toBe(true);
  });

  it('compares numbers by value: 8080 = 8080.0 = 8.08e3 (fixed quirk)', () => {
    expect(holds('fd.sport=8080')).toBe(true);
    expect(holds('fd.sport=8080.0')).toBe(true);
    expect(holds('fd.sport=8.08e3')).toBe(true);
    expect(holds('fd.sport!=8080.00')).toBe(false);
    expect(holds('fd.sport=8081')).toBe(false);
  });

  it('compares booleans and null by their text', () => {
    expect(holds('evt.is_open_write=true')).toBe(true);
    expect(holds('user.name=null')).toBe(true);
  });

  it('does not treat numeric-looking strings as numbers', () => {
    expect(fieldValueEquals('8080', '8080.0')).toBe(false);
    expect(fieldValueEquals('8080', '8080')).toBe(true);
    expect(fieldValueEquals(1234567, '1234567')).toBe(true);
    expect(fieldValueEquals(1234567, '1.234567e+06')).toBe(true);
  });

  it('needs every condition of one group; groups are OR-ed', () => {
    expect(holds('k8s.ns.name=prod, fd.sport=8080')).toBe(true);
    expect(holds('k8s.ns.name=prod, fd.sport=1')).toBe(false);
    expect(matchesEvent(match({ output_fields: ['k8s.ns.name=dev', 'fd.sport=8080'] }), event({ output_fields: fields }))).toBe(true);
  });

  it('splits a piece at its first operator, so the value may contain = (fixed quirk)', () => {
    const m = match({ output_fields: ['proc.args=a=b'] });
    expect(m.outputFields).toEqual([[{ key: 'proc.args', op: '=', value: 'a=b' }]]);
    expect(matchesEvent(m, event({ output_fields: { 'proc.args': 'a=b' } }))).toBe(true);
    expect(matchesEvent(m, event({ output_fields: { 'proc.args': 'other' } }))).toBe(false);
  });

  it('trims spaces around keys and operators', () => {
    expect(match({ output_fields: ['k8s.ns.name = prod ,  proc.env[MY_VAR] != x'] }).outputFields).toEqual([
      [
        { key: 'k8s.ns.name', op: '=', value: 'prod' },
        { key: 'proc.env[MY_VAR]', op: '!=', value: 'x' },
      ],
    ]);
  });
});

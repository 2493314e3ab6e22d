import { describe, expect, it } from 'vitest';
import {
  fieldText,
  hostname,
  namespace,
  podName,
  remoteIp,
  remotePort,
  remoteProtocol,
  targetName,
  targetNamespace,
  targetResource,
} from '../../src/events/fields.ts';
import type { FalcoEvent, Json } from '../../src/contract/index.ts';

function event(outputFields: Record<string, Json>, host = ''): FalcoEvent {
  return { output: 'o', priority: 'Critical', rule: 'r', hostname: host, time: null, source: 'syscall', output_fields: outputFields, tags: [] };
}

describe('field getters', () => {
  it('take the first key that holds a string', () => {
    expect(podName(event({ 'ka.target.pod.name': 'b', 'ka.target.name': 'c' }))).toBe('b');
    expect(podName(event({ 'k8s.pod.name': 'a', 'ka.target.pod.name': 'b' }))).toBe('a');
  });

  it('skip values that are neither strings nor numbers', () => {
    expect(podName(event({ 'k8s.pod.name': null, 'ka.target.pod.name': true, 'ka.target.name': 'c' }))).toBe('c');
    expect(namespace(event({ 'k8s.ns.name': { x: 1 }, 'ka.target.namespace': 'ns' }))).toBe('ns');
  });

  it('stop at an empty string instead of trying the next key', () => {
    expect(podName(event({ 'k8s.pod.name': '', 'ka.target.name': 'c' }))).toBe('');
    expect(remoteIp(event({ 'fd.rip': '', 'fd.sip': '10.0.0.1' }))).toBe('');
  });

  it('render numbers without exponent', () => {
    expect(remotePort(event({ 'fd.rport': 8080 }))).toBe('8080');
    expect(remotePort(event({ 'fd.sport': 1234567 }))).toBe('1234567');
    expect(remotePort(event({ 'fd.rport': 1e21 }))).toBe('1000000000000000000000');
  });

  it('fall back to the empty string', () => {
    const empty = event({});
    const getters = [podName, namespace, hostname, targetName, targetNamespace, targetResource, remoteIp, remotePort, remoteProtocol];
    expect(getters.map((get) => get(empty))).toEqual(Array(getters.length).fill(''));
  });

  it('read the keys of reference §1.3', () => {
    const e = event(
      {
        'ka.target.name': 'cm',
        'ka.target.namespace': 'prod',
        'ka.target.resource': 'configmaps',
        'fd.sip': '10.0.0.2',
        'fd.sport': 443,
        'fd.sproto': 'tcp',
        'k8s.ns.name': 'web',
      },
      'node-1',
    );
    expect([podName(e), namespace(e), hostname(e), targetName(e), targetNamespace(e), targetResource(e)]).toEqual([
      'cm',
      'web',
      'node-1',
      'cm',
      'prod',
      'configmaps',
    ]);
    expect([remoteIp(e), remotePort(e), remoteProtocol(e)]).toEqual(['10.0.0.2', '443', 'tcp']);
  });
});

describe('fieldText', () => {
  it.each<[Json, string]>([
    ['text', 'text'],
    [8080, '8080'],
    [1234567, '1234567'],
    [-2.5, '-2.5'],
    [1e-7, '0.0000001'],
    [-1.5e22, '-15000000000000000000000'],
    [true, 'true'],
    [false, 'false'],
    [null, ''],
    [['a', 1], '["a",1]'],
    [{ a: 1 }, '{"a":1}'],
  ])('renders %j as %s', (value, text) => {
    expect(fieldText(value)).toBe(text);
  });
});

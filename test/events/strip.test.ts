import { describe, expect, it } from 'vitest';
import { stripOutputPrefix } from '../../src/events/strip.ts';

const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Info', 'Debug'];

describe('stripOutputPrefix', () => {
  it.each(PRIORITIES)('removes the time and the %s priority, then one space', (priority) => {
    expect(stripOutputPrefix(`12:34:56.123456789: ${priority} Shell spawned (user=root)`)).toBe('Shell spawned (user=root)');
  });

  it('keeps Informational whole instead of cutting after Info (fixes the reference quirk)', () => {
    expect(stripOutputPrefix('12:34:56.123456789: Informational Foo')).toBe('Foo');
  });

  it('matches the priority case-insensitively', () => {
    expect(stripOutputPrefix('01:02:03.000000000: cRiTiCaL Foo')).toBe('Foo');
  });

  it('leaves a word that only starts with a priority name untouched', () => {
    expect(stripOutputPrefix('12:34:56.123456789: CriticalX y')).toBe('12:34:56.123456789: CriticalX y');
  });

  it('removes only one space after the priority', () => {
    expect(stripOutputPrefix('12:34:56.123456789: Warning   indented')).toBe('  indented');
  });

  it('strips a prefix with nothing after it to the empty string', () => {
    expect(stripOutputPrefix('12:34:56.123456789: Debug')).toBe('');
  });

  it.each([
    ['milliseconds instead of nanoseconds', '12:34:56.123: Critical Foo'],
    ['an unknown priority', '12:34:56.123456789: Fatal Foo'],
    ['no time', 'Critical Foo'],
    ['a prefix not at the start', 'x 12:34:56.123456789: Critical Foo'],
    ['no space after the colon', '12:34:56.123456789:Critical Foo'],
  ])('leaves other formats untouched: %s', (_, output) => {
    expect(stripOutputPrefix(output)).toBe(output);
  });
});

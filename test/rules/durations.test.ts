import { describe, expect, it } from 'vitest';
import { normaliseDuration } from '../../src/contract/durations.ts';

describe('durations of the retry/timeout extension', () => {
  it.each([
    ['500ms', '500ms'],
    ['2s', '2s'],
    ['1000ms', '1s'],
    ['90s', '90s'],
    ['120s', '2m'],
    ['1.5m', '90s'],
    ['1h', '1h'],
    ['0.5h', '30m'],
    [2, '2s'],
    [0.25, '250ms'],
    [3600, '1h'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normaliseDuration(input)).toBe(expected);
  });

  it.each(['', '2', '2 s', '1d', '-1s', '0s', 0, -5, 0.0001, 'PT1S', true, null])('rejects %s', (input) => {
    expect(normaliseDuration(input)).toBeUndefined();
  });
});

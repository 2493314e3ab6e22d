import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { expandUrl } from '../../../activities/http/url-template.ts';

const vars = { POD: '../../etc', Q: 'a b&c=d#e', HOST: 'evil.com/x', EMPTY: '' };

describe('expandUrl', () => {
  it.each([
    ['http://api/pods/${POD}/x', 'http://api/pods/..%2F..%2Fetc/x'],
    ['http://api/q?pod=${Q}&k=1', 'http://api/q?pod=a%20b%26c%3Dd%23e&k=1'],
    ['http://api/x#${Q}', 'http://api/x#a%20b%26c%3Dd%23e'],
    ['http://${HOST}.example.com/', 'http://evil.com%2Fx.example.com/'],
    ['http://api/${EMPTY:-default}/x', 'http://api/default/x'],
    ['https://api/$$literal', 'https://api/$literal'],
  ])('%s → %s', (template, url) => {
    expect(expandUrl(template, vars)).toBe(url);
  });

  it("refuses a value that would be a whole '..' segment", () => {
    expect(() => expandUrl('http://api/${P}/x', { P: '..' })).toThrow(ApplicationFailure);
  });

  it("leaves the rule's own text as written", () => {
    expect(expandUrl('http://user@api:8080/a/../b?x=${N}', { N: '1' })).toBe('http://user@api:8080/a/../b?x=1');
  });
});

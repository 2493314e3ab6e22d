import { describe, expect, it } from 'vitest';
import type { FalcoEvent } from '../../src/contract/index.ts';
import { loadRules, rulesToRun, type RuleSpec } from '../../src/rules/index.ts';
import { matchesEvent } from '../../src/rules/match.ts';
import { catalog, event, ruleYaml, rulesOf, writeFiles } from './helpers.ts';

/** Deterministic pseudo-random numbers (mulberry32), so the generated set is the same every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FALCO_RULES = Array.from({ length: 40 }, (_, i) => `Falco rule ${i}`);
const PRIORITIES = ['', 'Debug', '>=Notice', '<Error', '>Warning', '<=Critical', 'Emergency'];
const EVENT_PRIORITIES = ['Debug', 'Informational', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency', ''];
const TAGS = ['container', 'shell', 'mitre_execution', 'network', 'k8s'];

function generatedRules(count: number, next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] ?? list[0]!;
  let yaml = '';
  for (let i = 0; i < count; i += 1) {
    const rules = next() < 0.15 ? [] : [pick(FALCO_RULES), ...(next() < 0.3 ? [pick(FALCO_RULES)] : [])];
    const tags = next() < 0.3 ? [`${pick(TAGS)}, ${pick(TAGS)}`] : [];
    const fields = next() < 0.3 ? [`fd.sport${next() < 0.5 ? '=' : '!='}${pick(['80', '443', '8080.0'])}`] : [];
    const source = next() < 0.1 ? 'k8s_audit' : next() < 0.2 ? 'syscall' : '';
    yaml += `- rule: generated ${i}\n  match:\n    rules: ${JSON.stringify(rules)}\n    priority: "${pick(PRIORITIES)}"\n`;
    yaml += `    source: "${source}"\n    tags: ${JSON.stringify(tags)}\n    output_fields: ${JSON.stringify(fields)}\n`;
    yaml += `  actions:\n    - action: t\n      actionner: kubernetes:terminate\n`;
  }
  return yaml;
}

describe('RuleSet', () => {
  it('gives the same matches, in rule order, as a linear scan over 2 000 generated rules', async () => {
    const next = random(42);
    const loaded = await loadRules(writeFiles({ 'many.yaml': generatedRules(2000, next) }), catalog);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const { ruleSet } = loaded;
    expect(ruleSet.rules).toHaveLength(2000);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] ?? list[0]!;
    let totalMatches = 0;
    for (let i = 0; i < 500; i += 1) {
      const e: FalcoEvent = event({
        rule: next() < 0.9 ? pick(FALCO_RULES) : 'Unknown rule',
        priority: pick(EVENT_PRIORITIES),
        source: next() < 0.8 ? 'syscall' : 'k8s_audit',
        tags: TAGS.filter(() => next() < 0.5),
        output_fields: next() < 0.5 ? { 'fd.sport': pick([80, 443, 8080]) } : {},
      });
      const linear = ruleSet.rules.filter((rule) => matchesEvent(rule.match, e));
      const indexed = ruleSet.match(e);
      expect(indexed.map((r) => r.name)).toEqual(linear.map((r) => r.name));
      totalMatches += indexed.length;
    }
    // Guards against a vacuous comparison of empty lists.
    expect(totalMatches).toBeGreaterThan(1000);
  });

  it('returns matches in rule order, mixing indexed and wildcard rules', async () => {
    const loaded = await loadRules(
      writeFiles({
        'r.yaml': [
          ruleYaml('catch-all'),
          ruleYaml('shell', '  match:\n    rules: [Terminal shell in container]\n'),
          ruleYaml('other', '  match:\n    rules: [Something else]\n'),
          ruleYaml('warnings', '  match:\n    priority: ">=Warning"\n'),
          ruleYaml('shell-twice', '  match:\n    rules: [Terminal shell in container, Terminal shell in container]\n'),
        ].join(''),
      }),
      catalog,
    );
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.ruleSet.match(event()).map((r) => r.name)).toEqual(['catch-all', 'shell', 'warnings', 'shell-twice']);
    expect(loaded.ruleSet.match(event({ rule: 'Something else', priority: 'Debug' })).map((r) => r.name)).toEqual(['catch-all', 'other']);
  });

  it('is frozen, rules included', async () => {
    const loaded = await loadRules(writeFiles({ 'r.yaml': ruleYaml('a', '  match:\n    tags: [container]\n') }), catalog);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const { ruleSet } = loaded;
    expect(Object.isFrozen(ruleSet)).toBe(true);
    expect(Object.isFrozen(ruleSet.rules)).toBe(true);
    expect(Object.isFrozen(ruleSet.files)).toBe(true);
    expect(Object.isFrozen(ruleSet.rules[0]?.match.tags[0])).toBe(true);
    expect(Object.isFrozen(ruleSet.rules[0]?.actions[0]?.parameters)).toBe(true);
  });
});

describe('rulesToRun (§4.4)', () => {
  const named = (name: string, continues?: boolean): RuleSpec => ({
    name,
    ...(continues === undefined ? {} : { continue: continues }),
    match: { rules: [], priority: { op: '=', rank: 0, text: '' }, source: '', tags: [], outputFields: [] },
    actions: [],
    notifiers: [],
    origin: { file: 'inline', line: 1 },
  });

  it('runs every matched rule when none says continue: false', () => {
    const rules = [named('a'), named('b', true), named('c')];
    expect(rulesToRun(rules).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('stops after the first rule whose continue is false, including it', () => {
    const rules = [named('a', true), named('b', false), named('c'), named('d', false)];
    expect(rulesToRun(rules).map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('returns nothing for no matches', () => {
    expect(rulesToRun([])).toEqual([]);
  });

  it('works on loaded rules: continue: "false" as a string stops too', async () => {
    const rules = await rulesOf(ruleYaml('first', '  continue: "false"\n') + ruleYaml('second'));
    expect(rulesToRun(rules).map((r) => r.name)).toEqual(['first']);
  });
});

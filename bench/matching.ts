import { decodeEvent } from '../src/events/decode.ts';
import type { FalcoEvent } from '../src/contract/index.ts';
import { loadYaml, manyRulesYaml } from './alerts.ts';

export interface MatchFigures {
  readonly rules: number;
  /** Reading, validating and indexing the generated YAML with the real loader. */
  readonly loadMs: number;
  readonly decodeUsPerEvent: number;
  readonly matchUsPerEvent: number;
  readonly iterations: number;
  /** Share of events that matched at least one rule, so the work is visibly not all misses. */
  readonly matchedShare: number;
}

const PRIORITIES = ['Notice', 'Warning', 'Error', 'Critical'];

/** `count` alert bodies: 90% name one of the rules (spread over all of them), 10% name none. */
function eventBodies(ruleCount: number, count = 1000): string[] {
  return Array.from({ length: count }, (_, j) =>
    JSON.stringify({
      output: `bench event ${j}`,
      priority: PRIORITIES[j % PRIORITIES.length],
      rule: j % 10 === 9 ? `Unrelated rule ${j}` : `Bench rule ${(j * 7919) % ruleCount}`,
      hostname: 'bench-node',
      source: 'syscall',
      output_fields: { 'k8s.ns.name': `ns-${j % 7}`, 'proc.name': j % 4 === 0 ? 'sshd' : 'bash', 'k8s.pod.name': `pod-${j}` },
      tags: ['container'],
    }),
  );
}

/** Repeats `body` over `items` until `minMs` has passed (at most `maxMs`); µs per item. */
function timePerItem<T>(items: readonly T[], body: (item: T) => number, minMs: number, maxMs: number): { us: number; iterations: number; sink: number } {
  let sink = 0;
  // Warm-up lets the JIT settle before the clock starts.
  for (let round = 0; round < 20; round++) for (const item of items) sink += body(item);
  let iterations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || iterations < items.length * 10) {
    for (const item of items) sink += body(item);
    iterations += items.length;
    elapsed = performance.now() - started;
    if (elapsed > maxMs) break;
  }
  return { us: (elapsed * 1000) / iterations, iterations, sink };
}

/** Loads `ruleCount` generated rules, then times `decodeEvent` and `ruleSet.match` per event. */
export async function measureMatching(ruleCount: number, minMs = 1000, maxMs = 4000): Promise<MatchFigures> {
  const loadStarted = performance.now();
  const ruleSet = await loadYaml(manyRulesYaml(ruleCount));
  const loadMs = performance.now() - loadStarted;
  if (ruleSet.rules.length !== ruleCount) throw new Error(`loaded ${ruleSet.rules.length} rules, expected ${ruleCount}`);

  const bodies = eventBodies(ruleCount);
  const decode = timePerItem(bodies, (body) => (decodeEvent(body).ok ? 1 : 0), minMs / 2, maxMs);
  const events: FalcoEvent[] = bodies.flatMap((body) => {
    const decoded = decodeEvent(body);
    return decoded.ok ? [decoded.event] : [];
  });
  const match = timePerItem(events, (event) => ruleSet.match(event).length, minMs, maxMs);
  const matchedShare = events.filter((event) => ruleSet.match(event).length > 0).length / events.length;
  if (decode.sink === 0 || match.sink === 0) throw new Error('nothing decoded or matched: the generated events are wrong');
  return { rules: ruleCount, loadMs, decodeUsPerEvent: decode.us, matchUsPerEvent: match.us, iterations: match.iterations, matchedShare };
}

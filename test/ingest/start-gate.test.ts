import { describe, expect, it } from 'vitest';
import { startGate, StartQueueFullError } from '../../src/ingest/start-gate.ts';

const later = (ms = 5_000) => Date.now() + ms;

describe('the start gate', () => {
  it('runs at most `concurrency` starts at once and the rest in turn', async () => {
    const gate = startGate({ concurrency: 3 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return 'ok';
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => gate.run(later(), task)));
    expect(results).toEqual(Array(20).fill('ok'));
    expect(peak).toBe(3);
  });

  it('refuses at once past max_queued, and refuses a waiter whose deadline passes — neither ran', async () => {
    const gate = startGate({ concurrency: 1, maxQueued: 1 });
    let release!: () => void;
    const blocker = gate.run(later(), () => new Promise<void>((resolve) => (release = resolve)));
    const waiting = gate.run(later(100), () => Promise.resolve('ran'));
    await expect(gate.run(later(), () => Promise.resolve('ran'))).rejects.toBeInstanceOf(StartQueueFullError);
    await expect(waiting).rejects.toBeInstanceOf(StartQueueFullError);
    release();
    await blocker;
    expect(gate.load).toEqual({ running: 0, queued: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import type { SlotPermit, SlotReserveContext } from '@temporalio/worker';
import { ingestFirstSlots } from '../../src/worker/ingest-first-slots.ts';

// The SDK calls these around every workflow-task poll; the real worker runs them in
// test/ingest/eager.test.ts. Here: the bookkeeping, with the ingest's state under the test's hand.

const shared = { isSticky: false } as SlotReserveContext;
const sticky = { isSticky: true } as SlotReserveContext;
const release = (permit: SlotPermit) => ({ permit });
const settled = async <T>(promise: Promise<T>, ms = 60): Promise<'pending' | T> =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

describe('workflow-task slots that put the ingest first', () => {
  it('hands out every slot while the ingest is calm, and no more', async () => {
    const slots = ingestFirstSlots({ maximum: 3, minimum: 1, ingestBusy: () => false, recheckMs: 5 });
    const signal = new AbortController().signal;
    await slots.reserveSlot(shared, signal);
    await slots.reserveSlot(shared, signal);
    await slots.reserveSlot(sticky, signal);
    expect(slots.used).toEqual({ sticky: 1, shared: 2 });
    expect(slots.tryReserveSlot(shared)).toBeNull();
    expect(await settled(slots.reserveSlot(sticky, signal))).toBe('pending');
  });

  it('while the ingest is busy, takes new runs `minimum` at a time and lets runs in the cache go on', async () => {
    let busy = true;
    const slots = ingestFirstSlots({ maximum: 6, minimum: 2, ingestBusy: () => busy, recheckMs: 5 });
    const signal = new AbortController().signal;
    await slots.reserveSlot(shared, signal);
    expect(slots.tryReserveSlot(shared)).toEqual({ sticky: false });
    // New runs at the minimum: an eager task is refused, a poll of the shared queue waits.
    expect(slots.tryReserveSlot(shared)).toBeNull();
    const third = slots.reserveSlot(shared, signal);
    expect(await settled(third)).toBe('pending');
    // Sticky polls (runs this worker holds) are not held back.
    await slots.reserveSlot(sticky, signal);
    await slots.reserveSlot(sticky, signal);
    expect(slots.used).toEqual({ sticky: 2, shared: 2 });
    busy = false;
    expect(await settled(third, 200)).toEqual({ sticky: false });
    expect(slots.used).toEqual({ sticky: 2, shared: 3 });
  });

  it('while the ingest is busy, takes a new run at most once every `paceMs`, and at once again when calm', async () => {
    let busy = true;
    const slots = ingestFirstSlots({ maximum: 6, minimum: 2, paceMs: 150, ingestBusy: () => busy, recheckMs: 5 });
    const signal = new AbortController().signal;
    const first = await slots.reserveSlot(shared, signal);
    const takenAt = performance.now();
    // Below the minimum, but too soon after the last new run: an eager task is refused, a poll waits.
    expect(slots.tryReserveSlot(shared)).toBeNull();
    const second = slots.reserveSlot(shared, signal);
    expect(await settled(second, 60)).toBe('pending');
    // Runs in the cache are not paced.
    await slots.reserveSlot(sticky, signal);
    expect(await settled(second, 500)).toEqual({ sticky: false });
    expect(performance.now() - takenAt).toBeGreaterThanOrEqual(150 - 1);
    // The minimum still holds: two new runs in hand, a third waits however long ago the last came.
    const third = slots.reserveSlot(shared, signal);
    expect(await settled(third, 250)).toBe('pending');
    slots.releaseSlot(release(first));
    expect(await settled(third, 500)).toEqual({ sticky: false });
    // Calm: no pace.
    busy = false;
    expect(slots.tryReserveSlot(shared)).toEqual({ sticky: false });
    expect(slots.tryReserveSlot(shared)).toEqual({ sticky: false });
    expect(slots.used).toEqual({ sticky: 1, shared: 4 });
  });

  it('frees the kind of slot its permit says on release, even while the ingest is busy', async () => {
    const slots = ingestFirstSlots({ maximum: 4, minimum: 1, ingestBusy: () => true, recheckMs: 5 });
    const signal = new AbortController().signal;
    const first = await slots.reserveSlot(shared, signal);
    const cached = await slots.reserveSlot(sticky, signal);
    const waiting = slots.reserveSlot(shared, signal);
    expect(await settled(waiting)).toBe('pending');
    slots.releaseSlot(release(cached));
    expect(await settled(waiting)).toBe('pending');
    slots.releaseSlot(release(first));
    expect(await settled(waiting, 200)).toEqual({ sticky: false });
    expect(slots.used).toEqual({ sticky: 0, shared: 1 });
  });

  it('gives up a waiting reservation when the SDK aborts it (worker shutting down)', async () => {
    const slots = ingestFirstSlots({ maximum: 1, minimum: 1, ingestBusy: () => true, recheckMs: 1_000 });
    const controller = new AbortController();
    await slots.reserveSlot(shared, controller.signal);
    const waiting = slots.reserveSlot(sticky, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(slots.used).toEqual({ sticky: 0, shared: 1 });
  });
});

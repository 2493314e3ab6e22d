import { allHandlersFinished, condition, continueAsNew, defineSignal, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import type { BudgetAnswer, BudgetRequest } from '../src/contract/index.ts';
import { RESERVE_UPDATE, RESUME_SIGNAL, RETURN_UPDATE } from '../src/contract/index.ts';
import { durationMs } from '../src/contract/durations.ts';

export const reserveUpdate = defineUpdate<BudgetAnswer, [BudgetRequest]>(RESERVE_UPDATE);
export const returnUpdate = defineUpdate<void, [{ key: string }]>(RETURN_UPDATE);
export const resumeSignal = defineSignal<[{ by: string; reason: string }]>(RESUME_SIGNAL);

interface Grant {
  readonly key: string;
  readonly at: number;
  readonly windowMs: number;
}

export interface BudgetState {
  readonly scope: string;
  readonly key: string;
  readonly grants?: readonly Grant[];
}

/** An idle budget with nothing left in its window ends; the next reservation starts it again. */
const IDLE_MS = 60_000;

/**
 * One scope's budget of destructive actions (`talon-budget/namespace/prod`): reservations are
 * Updates, handled one at a time by this one workflow, so the count holds across any number of
 * workers and ingest replicas. A reservation of a key already granted (a retried activity) is
 * granted again without counting twice; a returned one (another scope said no) frees its place.
 */
export async function budget(state: BudgetState): Promise<void> {
  let grants: Grant[] = [...(state.grants ?? [])];
  const live = (now: number) => grants.filter((g) => g.at + g.windowMs > now);

  setHandler(reserveUpdate, ({ key, max, window }) => {
    const now = Date.now();
    const windowMs = durationMs(window) ?? 0;
    grants = live(now);
    const inWindow = grants.filter((g) => g.at > now - windowMs);
    if (grants.some((g) => g.key === key)) return { granted: true, used: inWindow.length, max };
    if (inWindow.length >= max) return { granted: false, used: inWindow.length, max };
    grants.push({ key, at: now, windowMs });
    return { granted: true, used: inWindow.length + 1, max };
  });
  setHandler(returnUpdate, ({ key }) => {
    grants = grants.filter((g) => g.key !== key);
  });

  for (;;) {
    const wake = Math.max(IDLE_MS, ...grants.map((g) => g.at + g.windowMs - Date.now()));
    const suggested = await condition(() => workflowInfo().continueAsNewSuggested, wake);
    grants = live(Date.now());
    if (suggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof budget>({ ...state, grants });
    }
    if (grants.length === 0) {
      await condition(allHandlersFinished);
      if (grants.length === 0) return;
    }
  }
}

/**
 * The global pause switch: while a run of this workflow (ID `talon-pause`) is open, every
 * destructive action is held (dry run or approval, as `governor.over_budget` says). `talon resume`
 * signals it to end.
 */
export async function pauseSwitch(paused: {
  by: string;
  reason: string;
  at: string;
}): Promise<{ paused: typeof paused; resumed: { by: string; reason: string } }> {
  let resumed: { by: string; reason: string } | undefined;
  setHandler(resumeSignal, (by) => {
    resumed = by;
  });
  await condition(() => resumed !== undefined);
  return { paused, resumed: resumed! };
}

import type { CustomSlotSupplier, SlotPermit, SlotReserveContext, WorkerTuner, WorkflowSlotInfo } from '@temporalio/worker';

/**
 * `talon start` runs the ingest and the worker in one process on the same CPUs and the same
 * embedded server. falcosidekick never retries an alert, so while the ingest is taking a burst the
 * worker takes on new runs only `minimum` workflow tasks at a time and at most one every `paceMs`
 * (a new run brings its whole life's server writes with it: a run's first task is where they
 * start), so the server's one database connection and the CPUs go to accepting alerts first. Runs
 * already in this worker's cache go on unhindered (their tasks come on the sticky queue), and the
 * pace keeps new ones starting through any burst, however long.
 */
export interface IngestFirstOptions {
  /** Workflow tasks at most, as `maxConcurrentWorkflowTaskExecutions` would set. */
  readonly maximum: number;
  /** Workflow tasks of new runs (the shared queue, not sticky) always allowed, busy or not. */
  readonly minimum: number;
  /** While busy, a workflow task of a new run at most this often; 0, as often as `minimum` allows. @default 0 */
  readonly paceMs?: number;
  /** True while the ingest has a burst in hand. */
  readonly ingestBusy: () => boolean;
  /** How often a held reservation looks again. @default 20 */
  readonly recheckMs?: number;
}

interface Permit extends SlotPermit {
  readonly sticky: boolean;
}

/** The workflow-task slot supplier: every slot while the ingest is calm; while busy, `minimum` for new runs, paced. */
export function ingestFirstSlots(
  options: IngestFirstOptions,
): CustomSlotSupplier<WorkflowSlotInfo> & { readonly used: { readonly sticky: number; readonly shared: number } } {
  let sticky = 0;
  let shared = 0;
  let lastSharedAt = Number.NEGATIVE_INFINITY;
  const recheckMs = options.recheckMs ?? 20;
  const paceMs = options.paceMs ?? 0;
  const free = (isSticky: boolean) => {
    if (sticky + shared >= options.maximum) return false;
    if (isSticky || !options.ingestBusy()) return true;
    return shared < options.minimum && performance.now() - lastSharedAt >= paceMs;
  };
  const take = (isSticky: boolean): Permit => {
    if (isSticky) sticky++;
    else {
      shared++;
      lastSharedAt = performance.now();
    }
    return { sticky: isSticky };
  };
  return {
    type: 'custom',
    get used() {
      return { sticky, shared };
    },
    async reserveSlot(ctx: SlotReserveContext, abortSignal: AbortSignal): Promise<SlotPermit> {
      while (!free(ctx.isSticky)) {
        if (abortSignal.aborted) throw abortSignal.reason;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, recheckMs);
          function done() {
            clearTimeout(timer);
            abortSignal.removeEventListener('abort', done);
            resolve();
          }
          abortSignal.addEventListener('abort', done, { once: true });
        });
      }
      return take(ctx.isSticky);
    },
    // Eager workflow tasks (new runs): the ingest asks for them only while it is calm (src/ingest/starter.ts).
    tryReserveSlot(ctx: SlotReserveContext): SlotPermit | null {
      return free(ctx.isSticky) ? take(ctx.isSticky) : null;
    },
    markSlotUsed() {},
    releaseSlot(ctx) {
      if ((ctx.permit as Partial<Permit>).sticky) sticky--;
      else shared--;
    },
  };
}

/** The SDK's default slots for everything but workflow tasks, which put the ingest first. */
export function ingestFirstTuner(options: IngestFirstOptions): WorkerTuner {
  return {
    workflowTaskSlotSupplier: ingestFirstSlots(options),
    activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
  };
}

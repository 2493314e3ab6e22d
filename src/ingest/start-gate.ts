/** Too many alerts are waiting for a start: nothing was sent to Temporal for this one. */
export class StartQueueFullError extends Error {}

export interface StartGateOptions {
  /** Starts sent to Temporal at once. @default 32 */
  readonly concurrency?: number;
  /** Alerts waiting for a free slot; past it, an alert is refused at once. @default 10000 */
  readonly maxQueued?: number;
}

/**
 * Bounded start concurrency with a bounded queue: a burst (falcosidekick posts every alert at once)
 * waits its turn instead of overwhelming the server or being dropped. A waiter whose deadline
 * passes leaves the queue — certainly not started.
 */
export function startGate(options: StartGateOptions = {}) {
  const concurrency = options.concurrency ?? 32;
  const maxQueued = options.maxQueued ?? 10_000;
  let running = 0;
  const queue: { resume: () => void; cancel: () => void }[] = [];

  const release = () => {
    running--;
    const next = queue.shift();
    if (next) next.resume();
  };

  return {
    /** Runs `task` when a slot is free, or throws StartQueueFullError (full, or the deadline passed while waiting). */
    async run<T>(deadline: number, task: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (queue.length >= maxQueued) throw new StartQueueFullError(`${queue.length} alerts are waiting for a start; try again later`);
        await new Promise<void>((resolve, reject) => {
          const entry = {
            resume: () => {
              clearTimeout(timer);
              resolve();
            },
            cancel: () => reject(new StartQueueFullError('the alert waited too long for a start; try again later')),
          };
          const timer = setTimeout(
            () => {
              const index = queue.indexOf(entry);
              if (index !== -1) queue.splice(index, 1);
              entry.cancel();
            },
            Math.max(0, deadline - Date.now()),
          );
          queue.push(entry);
        });
      }
      running++;
      try {
        return await task();
      } finally {
        release();
      }
    },
    /** Waiting alerts and starts in flight, for metrics and tests. */
    get load() {
      return { running, queued: queue.length };
    },
  };
}

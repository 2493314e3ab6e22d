/** Bounded concurrency and summary statistics shared by every bench phase. */

export interface PoolResult {
  /** Tasks that finished (resolved or rejected) before the pool stopped. */
  readonly done: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

/**
 * Runs `task(0)` … `task(count - 1)` with at most `concurrency` in flight. Stops issuing new tasks once
 * `budgetMs` has passed, so a slow or stuck server bounds the run instead of hanging it.
 */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>, budgetMs = 60_000): Promise<PoolResult> {
  const started = performance.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  let firstError: unknown;
  const lane = async () => {
    while (next < count && performance.now() - started < budgetMs) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed++;
        firstError ??= error;
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  // One failure's message is enough to explain a non-zero count; the rest are usually the same.
  if (firstError !== undefined)
    console.error(`  ${failed} task(s) failed; first: ${firstError instanceof Error ? firstError.message : JSON.stringify(firstError)}`);
  return { done, failed, elapsedMs: performance.now() - started };
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/** Successful tasks per second. */
/** Several runs of the same work as one: their counts and times added. */
export function pooled(results: readonly PoolResult[]): PoolResult {
  return {
    done: results.reduce((n, r) => n + r.done, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    elapsedMs: results.reduce((n, r) => n + r.elapsedMs, 0),
  };
}

export function ratePerSecond(result: PoolResult): number {
  return (result.done - result.failed) / (result.elapsedMs / 1000);
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

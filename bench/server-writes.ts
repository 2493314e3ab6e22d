import parsePrometheusTextFormat from 'parse-prometheus-text-format';

// What an alert costs the Temporal server's database: its persistence requests, counted by the
// server itself (`persistence_requests` and `visibility_persistence_requests` on its /metrics),
// split into writes and reads by operation name.

/** Requests per `service:operation` in the namespace the playbooks run in (visibility as `visibility:…`). */
export type PersistenceCounts = ReadonlyMap<string, number>;

const READ = /^(Get|List|Read|Watch|Assert|Count|Scan)/;

export function persistenceCounts(metricsText: string, namespace = 'default'): PersistenceCounts {
  const counts = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(metricsText)) {
    const visibility = family.name === 'visibility_persistence_requests';
    if (!visibility && family.name !== 'persistence_requests') continue;
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      // Visibility requests carry no namespace label; the bench's server has only its own.
      if (!visibility && labels.namespace !== namespace) continue;
      const key = `${visibility ? 'visibility' : labels.service_name}:${labels.operation}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(sample.value ?? 0));
    }
  }
  return counts;
}

export interface WritesPerAlert {
  /** Write requests per alert, all services. */
  readonly writes: number;
  readonly reads: number;
  /** Write operations per alert, largest first. */
  readonly byOperation: Readonly<Record<string, number>>;
}

export function writesPerAlert(before: PersistenceCounts, after: PersistenceCounts, alerts: number): WritesPerAlert {
  let writes = 0;
  let reads = 0;
  const byOperation: [string, number][] = [];
  for (const [key, value] of after) {
    const delta = (value - (before.get(key) ?? 0)) / alerts;
    if (delta <= 0) continue;
    if (READ.test(key.split(':')[1] ?? '')) reads += delta;
    else {
      writes += delta;
      byOperation.push([key, Math.round(delta * 100) / 100]);
    }
  }
  byOperation.sort((a, b) => b[1] - a[1]);
  return { writes: Math.round(writes * 100) / 100, reads: Math.round(reads * 100) / 100, byOperation: Object.fromEntries(byOperation) };
}

/**
 * The server's counts once they stop moving (its metrics reporter flushes about once a second, so a
 * single scrape lags what just happened); undefined without a metrics URL or when it does not answer.
 */
export async function scrapePersistence(metricsUrl: string | undefined, settleMs = 5_000): Promise<PersistenceCounts | undefined> {
  if (!metricsUrl) return undefined;
  const scrape = async () => {
    try {
      const response = await fetch(metricsUrl);
      return response.ok ? persistenceCounts(await response.text()) : undefined;
    } catch {
      return undefined;
    }
  };
  const total = (counts: PersistenceCounts | undefined) => [...(counts?.values() ?? [])].reduce((a, b) => a + b, 0);
  const deadline = performance.now() + settleMs;
  let last = await scrape();
  let same = 0;
  while (last && same < 2 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 600));
    const next = await scrape();
    same = total(next) === total(last) ? same + 1 : 0;
    last = next;
  }
  return last;
}

import { DefaultLogger, MetricsBuffer, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../log.ts';

/** The lanes' workers run activities only, by design: the SDK warns of it once per lane at start. */
const EXPECTED_WARNINGS = /^No workflows registered, not polling for workflow tasks$/;

/**
 * Routes the Temporal SDK's own logs (worker state, bundling) into our logger at warn level and
 * above, unless debugging: at INFO it prints a dozen lines per worker start. With `metrics`, the SDK
 * core's metrics (workers, pollers, slots, the worker's requests) are buffered for the process's
 * registry (`Metrics.followSdkMetrics`) instead of dropped; the buffer is returned. Once per process.
 */
export function installTemporalLogger(log: Logger, metrics = false): MetricsBuffer | undefined {
  const level = log.level === 'debug' || log.level === 'trace' ? 'DEBUG' : 'WARN';
  const forward = (entry: LogEntry) => {
    const fields = { ...entry.meta, sdk: true };
    const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' && !EXPECTED_WARNINGS.test(entry.message) ? 'warn' : 'debug';
    log[method](fields, entry.message);
  };
  try {
    // The process's own SIGINT/SIGTERM handling stops the ingest first, then drains the worker; the
    // SDK's default handlers would start draining at the same time and log errors for it.
    const buffer = metrics ? new MetricsBuffer({ useSecondsForDurations: true }) : undefined;
    Runtime.install({ logger: new DefaultLogger(level, forward), shutdownSignals: [], telemetryOptions: buffer ? { metrics: { buffer } } : {} });
    return buffer;
  } catch {
    // A runtime is already installed (tests install their own); keep it.
    return undefined;
  }
}

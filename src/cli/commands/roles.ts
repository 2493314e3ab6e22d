import type { TalonConfig } from '../../config/schema.ts';
import { createLogger } from '../../log.ts';
import { startRuntime } from '../../roles/runtime.ts';

/** `start`, `serve`, `worker`: runs the roles until SIGINT/SIGTERM, then drains and exits. */
export async function runRoles(config: TalonConfig, roles: { ingest: boolean; worker: boolean; embed: boolean }): Promise<void> {
  const log = createLogger({ format: config.log_format, level: config.log_level });
  // The SDK's Rust runtime (and its logs) exists only where a worker runs; `serve` never loads it.
  const sdkMetrics = roles.worker ? (await import('../../temporal/runtime-logger.ts')).installTemporalLogger(log, true) : undefined;
  const runtime = await startRuntime({ config, log, ...roles, sdkMetrics });
  if (runtime.uiUrl) process.stderr.write(`Temporal UI:     ${runtime.uiUrl}\n`);
  if (runtime.ingestUrl) process.stderr.write(`Ingest endpoint: ${runtime.ingestUrl}/ (POST Falco alerts here)\n`);
  process.stderr.write(`Temporal:        ${runtime.temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.task_queue})\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new events, draining the worker');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

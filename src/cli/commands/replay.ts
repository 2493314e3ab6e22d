import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { TalonConfig } from '../../config/schema.ts';
import { dataConverterFor } from '../../temporal/codec.ts';
import { connectClient } from '../../temporal/connection.ts';
import { createLogger } from '../../log.ts';
import { installTemporalLogger } from '../../temporal/runtime-logger.ts';
import { workflowSource } from '../../worker/bundle.ts';
import { workflowSinks } from '../../worker/sinks.ts';
import type { CommandResult } from './result.ts';

/**
 * `replay WORKFLOW_ID`: fetches the workflow's history and replays it against the current workflow
 * code. Exit 1 on non-determinism: deploying this code would break that running workflow.
 */
export async function replay(config: TalonConfig, workflowId: string, runId?: string): Promise<CommandResult> {
  installTemporalLogger(createLogger({ format: config.log_format, level: config.log_level }));
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.embedded.port}`;
  const client = await connectClient(config.temporal, address, config.encryption.keys);
  try {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    await Worker.runReplayHistory(
      // The traced bundle replays histories of both kinds: its interceptors only add headers.
      { ...workflowSource(true), replayName: workflowId, dataConverter: dataConverterFor(config.encryption.keys), sinks: workflowSinks() },
      history,
    );
    return { stdout: `replay of ${workflowId}: deterministic (${history.events?.length ?? 0} events)\n`, stderr: '', code: 0 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof DeterminismViolationError ? 'non-deterministic' : 'failed';
    return { stdout: '', stderr: `replay of ${workflowId} ${kind}: ${message}\n`, code: 1 };
  } finally {
    await client.connection.close();
  }
}

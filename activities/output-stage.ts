import type { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import type { ActionActivityInput, OutputOutcome } from '../src/contract/index.ts';
import { retryable } from './errors.ts';
import { hasData } from './stream-data.ts';
import { outputImplementations } from './implementations.ts';
import type { ActionResult, Artifact, Deps } from './types.ts';

/** Artifact text kept in history when no output stores it (Talon puts it in notifications). */
const INLINE_OUTPUT_LIMIT = 16 * 1024;

function failure(target: string, error: string): OutputOutcome {
  return { target, status: 'failure', objects: {}, error };
}

async function readable(body: Readable): Promise<boolean> {
  try {
    return await hasData(body);
  } catch (error) {
    // Reading the body failed (a reset, a timeout): the action is retried, as for a network error.
    throw retryable('ArtifactReadError', `reading the artifact failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Stores the artifact with the configured output, inside the action's activity, so the bytes
 * never enter workflow history. Transient store errors are thrown (the activity retries); a
 * permanent one becomes a failed outcome, so the action that did run is not run again.
 */
export async function storeOutput(input: ActionActivityInput, result: ActionResult, deps: Deps): Promise<OutputOutcome | undefined> {
  const requested = input.output;
  const stage = input.outputMode === 'required' || (input.outputMode === 'allowed' && requested !== undefined && result.artifact !== undefined);
  if (!stage) return undefined;
  if (!requested) return failure('n/a', 'an output is required');
  const load = outputImplementations[requested.target];
  if (!load) return failure(requested.target, `unknown output target '${requested.target}'`);
  const artifact = result.artifact;
  if (!artifact || (Buffer.isBuffer(artifact.body) ? artifact.body.length === 0 : !(await readable(artifact.body)))) {
    return failure(requested.target, 'empty output');
  }
  try {
    const output = await load();
    const parameters = output.spec.params.parse(requested.parameters);
    await output.checks?.(parameters, deps);
    const stored = await output.store({ parameters, artifact, objects: result.objects, event: input.event }, deps);
    return {
      target: requested.target,
      status: 'success',
      result: stored.result,
      objects: stored.objects,
      artifact: { location: stored.location, size: stored.size, sha256: stored.sha256 },
    };
  } catch (error) {
    if (error instanceof ApplicationFailure && !error.nonRetryable) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return failure(requested.target, message);
  }
}

/** The artifact as (truncated) text, for an action without an output stage. */
export async function inlineOutput(artifact: Artifact | undefined): Promise<string | undefined> {
  if (!artifact) return undefined;
  let data: Buffer;
  if (Buffer.isBuffer(artifact.body)) data = artifact.body;
  else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of artifact.body as AsyncIterable<Buffer | string>) {
      const bytes = Buffer.from(chunk);
      chunks.push(bytes);
      size += bytes.length;
      if (size > INLINE_OUTPUT_LIMIT) break;
    }
    artifact.body.destroy();
    data = Buffer.concat(chunks);
  }
  if (data.length === 0) return undefined;
  const text = data.subarray(0, INLINE_OUTPUT_LIMIT).toString('utf8');
  return data.length > INLINE_OUTPUT_LIMIT ? `${text}… (truncated)` : text;
}

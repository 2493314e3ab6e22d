import { createHash } from 'node:crypto';
import type { FalcoEvent } from '../contract/index.ts';

/**
 * The workflow ID of an alert: `falco-` + sha256 hex of its stripped output. Only the output goes in,
 * as in the reference's dedup key, so the same alert text re-sent within the window (by Falco and
 * falcosidekick, or by several ingest replicas) maps to one workflow and Temporal refuses the rest.
 * sha256 instead of the reference's md5: no practical collisions between different alert texts.
 */
export function workflowIdFor(event: FalcoEvent): string {
  return `falco-${createHash('sha256').update(event.output, 'utf8').digest('hex')}`;
}

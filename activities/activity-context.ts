import { Context } from '@temporalio/activity';

/** The running activity's context; undefined when an implementation is called directly (a test). */
function current(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** A regular activity's context, to heartbeat: a local one runs inside a workflow task and has none to send. */
function heartbeating(): Context | undefined {
  const context = current();
  return context?.info.isLocal ? undefined : context;
}

/** Aborted when Temporal cancels the activity (delivered with a heartbeat's response). */
export function cancellationSignal(): AbortSignal | undefined {
  return current()?.cancellationSignal;
}

/**
 * Heartbeats every `everyMs` until `work` settles, so a long capture or exec shows it is alive and
 * receives cancellation; the SDK throttles what it really sends to the server.
 */
export async function withHeartbeats<T>(what: string, work: Promise<T>, everyMs = 5_000): Promise<T> {
  const context = heartbeating();
  if (!context) return work;
  context.heartbeat(what);
  const timer = setInterval(() => context.heartbeat(what), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** How often a running activity tells Temporal it is alive (see ACTION_HEARTBEAT_TIMEOUT). */
export const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Heartbeats for the whole of an activity, whatever the implementation does, so a worker that dies
 * mid-action is noticed within the heartbeat timeout rather than the action's start-to-close
 * timeout, and a cancellation request reaches the activity. Returns the function that stops it.
 */
export function keepAlive(): () => void {
  const context = heartbeating();
  if (!context) return () => undefined;
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  return () => clearInterval(timer);
}

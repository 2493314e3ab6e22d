import { Context } from '@temporalio/activity';

/** The running activity's context; undefined when an implementation is called directly (a test). */
function current(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
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
  const context = current();
  if (!context) return work;
  context.heartbeat(what);
  const timer = setInterval(() => context.heartbeat(what), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

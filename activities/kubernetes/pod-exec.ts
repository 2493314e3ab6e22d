import { PassThrough, Writable, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { cancellationSignal } from '../activity-context.ts';
import { permanent, retryable, truncate } from '../errors.ts';

/** A container of a pod (an ephemeral container too). */
export interface ContainerRef {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

export interface ExecEnd {
  /** Exit code 0, or one of `okExitCodes`. */
  readonly ok: boolean;
  /** Unknown when the command could not be started (e.g. no such program). */
  readonly exitCode?: number;
  /** The command's stderr (capped), or the API's message when it has none. */
  readonly message: string;
  /** Why the exec was stopped before its end: the activity was cancelled, or stdout passed `maxBytes`. */
  readonly stopped?: Error;
}

export interface RunningExec {
  /** The command's stdout: ends once it exited ok; errors when it failed, passed `maxBytes` or was cancelled. */
  readonly stdout: Readable;
  /** Settles when the command has ended; never rejects. */
  readonly done: Promise<ExecEnd>;
}

export interface ExecOptions {
  /** Exit codes that count as success besides 0 (`timeout` ends a capture with 124). */
  readonly okExitCodes?: readonly number[];
  /** Fail the stream past this many bytes of stdout. @default Infinity */
  readonly maxBytes?: number;
}

const STDERR_LIMIT = 4 * 1024;

/** The WebSocket of an exec, as used here. */
interface ExecSocket {
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** A real kubelet reports `NonZeroExitCode` with an `ExitCode` cause; others only say `exit status N`. */
function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d+$/.test(cause.message)) return Number(cause.message);
  const match = /exit (?:status|code) (\d+)/.exec(status.message ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A refused upgrade arrives as `Unexpected server response: 403` from the WebSocket client. */
function connectFailure(error: unknown, target: ContainerRef): ApplicationFailure {
  // The WebSocket client rejects with an ErrorEvent (`{ message, error }`), not an Error.
  const message =
    error instanceof Error
      ? error.message
      : typeof (error as { message?: unknown })?.message === 'string'
        ? (error as { message: string }).message
        : String(error);
  const code = Number(/Unexpected server response: (\d+)/.exec(message)?.[1] ?? 0);
  const where = `the container '${target.container}' of the pod '${target.pod}' in the namespace '${target.namespace}'`;
  if (code === 403) {
    // A WebSocket exec is a GET upgrade, authorised as both `get` and `create` on pods/exec.
    return permanent('Forbidden', `forbidden: cannot exec in the namespace '${target.namespace}' (missing RBAC permission 'get' and 'create' on 'pods/exec')`);
  }
  if (code === 404) return permanent('PodNotFound', `exec into ${where}: not found`);
  // 400: the container is not running (or not there); retrying the same pod soon rarely helps.
  if (code === 400) return permanent('ContainerNotRunning', `exec into ${where}: refused (is the container running?)`);
  return retryable('KubernetesUnavailable', `exec into ${where}: ${message}`);
}

/**
 * Runs `command` (an argv, no shell) in a container through the API server's `pods/exec`, with stdout
 * as a stream so a large output goes to its destination without being held in memory. Cancelling
 * the activity closes the connection at once (Kubernetes may leave the exec'd process running).
 */
export async function startExec(kubeConfig: KubeConfig, target: ContainerRef, command: readonly string[], options: ExecOptions = {}): Promise<RunningExec> {
  const okCodes = new Set([0, ...(options.okExitCodes ?? [])]);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const stdout = new PassThrough();
  let stderr = '';
  let size = 0;
  let status: V1Status | undefined;
  let stopped: Error | undefined;
  let close: () => void = () => undefined;
  const stop = (failure: Error) => {
    stopped ??= failure;
    close();
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        stop(permanent('OutputTooLarge', `the output of '${command[0] ?? ''}' passed the limit of ${maxBytes} bytes`));
        callback();
        return;
      }
      if (stdout.write(chunk)) callback();
      else stdout.once('drain', () => callback());
    },
  });
  const errSink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
      callback();
    },
  });
  const signal = cancellationSignal();
  const onAbort = () => stop(new CancelledFailure('the activity was cancelled'));
  let socket: ExecSocket;
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- typed through isomorphic-ws, which the linter's resolver misses
    socket = await new Exec(kubeConfig).exec(target.namespace, target.pod, target.container, [...command], sink, errSink, null, false, (s) => {
      status = s;
    });
  } catch (error) {
    throw connectFailure(error, target);
  }
  close = () => socket.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const done = new Promise<ExecEnd>((resolve) => {
    socket.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      const exitCode = status ? exitCodeOf(status) : undefined;
      const message = truncate(stderr.trim() || (status?.status === 'Success' ? '' : (status?.message ?? 'the connection closed before the command ended')));
      const ok = !stopped && exitCode !== undefined && okCodes.has(exitCode);
      if (ok) stdout.end();
      else {
        const failure =
          stopped ?? (status ? permanent('CommandFailed', message || `exit code ${exitCode ?? 'unknown'}`) : retryable('ExecInterrupted', message));
        stdout.destroy(failure);
      }
      resolve({ ok, exitCode, message: stopped?.message ?? message, stopped });
    });
  });
  return { stdout, done };
}

export interface CollectedExec extends ExecEnd {
  /** The first `maxBytes` of stdout. */
  readonly stdout: Buffer;
  /** Bytes of stdout past `maxBytes`, dropped. */
  readonly dropped: number;
}

/** Runs a command and keeps the first `maxBytes` of its stdout (the rest is read and dropped); throws when cancelled. */
export async function collectExec(kubeConfig: KubeConfig, target: ContainerRef, command: readonly string[], maxBytes: number): Promise<CollectedExec> {
  const running = await startExec(kubeConfig, target, command);
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  running.stdout.on('data', (chunk: Buffer) => {
    const take = Math.max(0, Math.min(maxBytes - kept, chunk.length));
    if (take > 0) chunks.push(chunk.subarray(0, take));
    kept += take;
    dropped += chunk.length - take;
  });
  // The stream's error is the same news as `done`, which is what callers read; the stream's end
  // comes after the last data event, which `done` alone does not promise.
  const drained = finished(running.stdout).catch(() => undefined);
  const end = await running.done;
  await drained;
  if (end.stopped) throw end.stopped;
  return { ...end, stdout: Buffer.concat(chunks), dropped };
}

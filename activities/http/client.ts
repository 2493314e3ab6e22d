import { cancellationSignal } from '../activity-context.ts';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { permanent, retryable, truncate } from '../errors.ts';

export interface HttpRequest {
  readonly url: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/**
 * The URL as it may appear in errors, history and logs: without userinfo (`user:pass@`), query
 * (`?…`, tokens often travel there) and fragment. Text that does not parse is cut the same way.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const query = parsed.search ? '?…' : '';
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return `${parsed.href}${query}`;
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1').replace(/[?#].*$/s, (rest) => (rest.startsWith('?') ? '?…' : ''));
  }
}

/** An error's text (with its cause's) with the request's URL redacted: fetch quotes the URL it refuses. */
function errorText(error: unknown, url: string): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  let text = `${error instanceof Error ? error.message : String(error)}${cause}`;
  const forms = [url];
  try {
    forms.push(new URL(url).href);
  } catch {
    // not a URL: only its raw form can appear
  }
  for (const form of forms) text = text.replaceAll(form, redactUrl(url));
  return text;
}

/**
 * Headers of `layers` merged case-insensitively, later layers replacing earlier ones; undefined
 * values are left out. Mixed-case duplicates (`User-Agent` and `user-agent`) would otherwise be
 * sent as one joined value (`mine, falco-talon`).
 */
export function mergeHeaders(...layers: readonly Readonly<Record<string, string | undefined>>[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const layer of layers) for (const [key, value] of Object.entries(layer)) if (value !== undefined) headers[key.toLowerCase()] = value;
  return headers;
}

function withCancellation(signal: AbortSignal): AbortSignal {
  const cancelled = cancellationSignal();
  return cancelled ? AbortSignal.any([signal, cancelled]) : signal;
}

async function send(request: HttpRequest): Promise<Response> {
  const where = `${request.method} ${redactUrl(request.url)}`;
  let built: Request;
  try {
    built = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === undefined || typeof request.body === 'string' ? request.body : new Uint8Array(request.body),
      // The timeout, and the activity's cancellation (a cancelled playbook stops waiting at once).
      signal: withCancellation(AbortSignal.timeout(request.timeoutMs ?? 10_000)),
    });
  } catch (error) {
    // Nothing was sent: an invalid URL, credentials in the URL, an invalid header. A retry cannot help.
    throw permanent('InvalidRequest', `${where}: ${errorText(error, request.url)}`);
  }
  try {
    return await fetch(built);
  } catch (error) {
    throw retryable('NetworkError', `${where}: ${errorText(error, request.url)}`);
  }
}

/** One HTTP call with a timeout; network failures become retryable errors, a request that cannot be built a permanent one. */
export async function httpCall(request: HttpRequest): Promise<HttpResponse> {
  const response = await send(request);
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * Like httpCall + assertOk, but a 2xx body stays a stream: an artifact flows to its output without
 * being held in memory. Another status is read (its text goes into the error) and thrown. The
 * timeout covers the whole body, so a stalled download fails the stream, and the output stage.
 */
export async function httpStream(request: HttpRequest, what: string): Promise<{ status: number; headers: Headers; body: Readable }> {
  const response = await send(request);
  if (response.status < 200 || response.status >= 300) {
    assertOk({ status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }, what);
  }
  const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
  return { status: response.status, headers: response.headers, body };
}

/** Talon's texts for HTTP statuses (reference §8.1). */
function statusText(status: number, body: string): string {
  switch (status) {
    case 400:
      return `header missing: ${truncate(body)}`;
    case 401:
      return 'authentication error';
    case 403:
      return 'access denied';
    case 404:
      return 'resource not found';
    case 422:
      return 'wrong request';
    case 429:
      return 'exceeding post rate limit';
    default:
      return `unexpected status ${status}${body ? `: ${truncate(body)}` : ''}`;
  }
}

/**
 * Throws unless the status is 2xx: 429 and 5xx are retryable (the server may recover), every other
 * status is permanent — retrying a 401 or a 404 cannot succeed. `what` goes into the error: pass
 * URLs through redactUrl.
 */
export function assertOk(response: HttpResponse, what: string): void {
  if (response.status >= 200 && response.status < 300) return;
  const text = `${what}: ${statusText(response.status, response.body.toString('utf8'))}`;
  if (response.status === 429 || response.status >= 500) throw retryable(`Http${response.status}`, text);
  throw permanent(`Http${response.status}`, text);
}

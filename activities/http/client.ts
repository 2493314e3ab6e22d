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

async function send(request: HttpRequest): Promise<Response> {
  try {
    return await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === undefined || typeof request.body === 'string' ? request.body : new Uint8Array(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw retryable('NetworkError', `${request.method} ${request.url}: ${message}${cause}`);
  }
}

/** One HTTP call with a timeout; network failures become retryable errors. */
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
    case 400: return `header missing: ${truncate(body)}`;
    case 401: return 'authentication error';
    case 403: return 'access denied';
    case 404: return 'resource not found';
    case 422: return 'wrong request';
    case 429: return 'exceeding post rate limit';
    default: return `unexpected status ${status}${body ? `: ${truncate(body)}` : ''}`;
  }
}

/**
 * Throws unless the status is 2xx: 429 and 5xx are retryable (the server may recover), every other
 * status is permanent — retrying a 401 or a 404 cannot succeed.
 */
export function assertOk(response: HttpResponse, what: string): void {
  if (response.status >= 200 && response.status < 300) return;
  const text = `${what}: ${statusText(response.status, response.body.toString('utf8'))}`;
  if (response.status === 429 || response.status >= 500) throw retryable(`Http${response.status}`, text);
  throw permanent(`Http${response.status}`, text);
}

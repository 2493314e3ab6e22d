import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { MiddlewareHandler } from 'hono';

/** How callers of the ingest prove who they are; a request passing any configured method is in. */
export interface CallerAuthOptions {
  /** `Authorization: Bearer <token>`, or HTTP Basic with the token as password (any user). */
  readonly tokens: readonly string[];
  /** HMAC-SHA256 of `<timestamp>.<body>` in {@link SIGNATURE_HEADER}, `sha256=<hex>` or `<hex>`. */
  readonly hmacSecrets: readonly string[];
  /** @default 300 */
  readonly hmacWindowSeconds?: number;
  /** A verified client certificate (mutual TLS) authenticates the request. */
  readonly mutualTls: boolean;
  /** Called for each refused request (metrics). */
  readonly onRefused?: (reason: RefusalReason) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export type RefusalReason = 'missing' | 'invalid' | 'expired' | 'replayed';

export const SIGNATURE_HEADER = 'x-talon-signature';
export const TIMESTAMP_HEADER = 'x-talon-timestamp';

/** Whether any method is configured: without one, the ingest is open (start-up says so). */
export function authConfigured(options: Pick<CallerAuthOptions, 'tokens' | 'hmacSecrets' | 'mutualTls'>): boolean {
  return options.tokens.length > 0 || options.hmacSecrets.length > 0 || options.mutualTls;
}

// Digests first: equal lengths for timingSafeEqual, and no early exit on a length difference.
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant time over every candidate: which token matched, or whether one did, leaks nothing. */
function matchesAny(presented: string, candidates: readonly string[]): boolean {
  const given = digest(presented);
  let found = false;
  for (const candidate of candidates) found = timingSafeEqual(given, digest(candidate)) || found;
  return found;
}

function presentedToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme = '', value = ''] = authorization.split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

function verifiedClientCertificate(socket: unknown): boolean {
  return typeof socket === 'object' && socket !== null && 'authorized' in socket && (socket as TLSSocket).authorized === true;
}

/**
 * Caller authentication (a Hono middleware factory). A refused request gets 401 with nothing that
 * helps guessing — the same body whatever failed — and starts nothing.
 */
export function callerAuth(options: CallerAuthOptions): MiddlewareHandler {
  const windowMs = (options.hmacWindowSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  // Signatures accepted within the window: the same signed request again is a replay.
  const seen = new Map<string, number>();
  const refuse = (reason: RefusalReason) => {
    options.onRefused?.(reason);
    return new Response(JSON.stringify({ error: 'unauthorized' }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="talon", Basic realm="talon"' },
    });
  };

  async function signed(signature: string, timestamp: string | undefined, body: () => Promise<string>): Promise<RefusalReason | undefined> {
    const seconds = Number(timestamp);
    if (!timestamp || !Number.isInteger(seconds)) return 'invalid';
    const at = now();
    if (Math.abs(at - seconds * 1000) > windowMs) return 'expired';
    const hex = signature.replace(/^sha256=/i, '').toLowerCase();
    const text = `${timestamp}.${await body()}`;
    const valid = options.hmacSecrets.map((secret) => createHmac('sha256', secret).update(text, 'utf8').digest('hex'));
    if (!matchesAny(hex, valid)) return 'invalid';
    for (const [key, expires] of seen) if (expires < at) seen.delete(key);
    if (seen.has(hex)) return 'replayed';
    seen.set(hex, at + 2 * windowMs);
    return undefined;
  }

  return async (c, next) => {
    if (options.mutualTls && verifiedClientCertificate((c.env as { incoming?: { socket?: unknown } } | undefined)?.incoming?.socket)) return next();
    const token = options.tokens.length > 0 ? presentedToken(c.req.header('authorization')) : undefined;
    if (token !== undefined && matchesAny(token, options.tokens)) return next();
    const signature = options.hmacSecrets.length > 0 ? c.req.header(SIGNATURE_HEADER) : undefined;
    if (signature !== undefined) {
      const problem = await signed(signature, c.req.header(TIMESTAMP_HEADER), () => c.req.text());
      if (problem === undefined) return next();
      return refuse(problem);
    }
    return refuse(token === undefined ? 'missing' : 'invalid');
  };
}

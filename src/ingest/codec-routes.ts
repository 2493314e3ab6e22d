import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { z } from 'zod';

// Temporal's codec-server protocol: POST {"payloads": [Payload as proto3 JSON]} to /encode or
// /decode, the same shape back. Bytes are base64 in proto3 JSON.
const payloadsSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});

type JsonPayload = z.infer<typeof payloadsSchema>['payloads'][number];

function fromJson(payload: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

/** Largest codec request: a history page's payloads. */
const MAX_CODEC_BODY = 8 * 1024 * 1024;

/**
 * `/codec/encode` and `/codec/decode` for the Temporal UI and `temporal` CLI (`--codec-endpoint`):
 * authenticated like the ingest, with the CORS a browser needs for the listed UI origins (the
 * preflight itself carries no credentials, so it is answered before authentication).
 */
export function codecRoutes(codec: PayloadCodec, corsOrigins: readonly string[], auth: MiddlewareHandler): Hono {
  const routes = new Hono();
  routes.use(
    '*',
    cors({ origin: [...corsOrigins], allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], credentials: true }),
  );
  for (const direction of ['encode', 'decode'] as const) {
    routes.post(
      `/${direction}`,
      auth,
      bodyLimit({ maxSize: MAX_CODEC_BODY, onError: (c) => c.json({ error: `body over ${MAX_CODEC_BODY} bytes` }, 413) }),
      async (c) => {
        const parsed = payloadsSchema.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success) return c.json({ error: 'expected {"payloads": [{"metadata": {…}, "data": "<base64>"}]}' }, 400);
        try {
          const payloads = parsed.data.payloads.map(fromJson);
          const result = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
          return c.json({ payloads: result.map(toJson) });
        } catch (error) {
          // A payload under a key this process does not hold, or tampered with: the caller's data.
          return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
        }
      },
    );
  }
  return routes;
}

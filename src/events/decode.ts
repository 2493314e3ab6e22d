import { z } from 'zod';
import { deepFreeze } from './freeze.ts';
import { quoteUnsafeIntegers } from './big-integers.ts';
import { nestingExceeds } from './nesting.ts';
import { stripOutputPrefix } from './strip.ts';
import { parseRfc3339 } from './time.ts';
import type { FalcoEvent } from '../contract/index.ts';

/** Deepest accepted nesting of arrays and objects; Falco's alerts nest two or three levels. */
export const MAX_NESTING = 64;

export type DecodeResult = { readonly ok: true; readonly event: FalcoEvent } | { readonly ok: false; readonly error: string };

const requiredText = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty');

/** The fields Talon reads; any other key (falcosidekick's `uuid`, `trace_id`, `context`) is ignored. */
const payloadSchema = z.object({
  output: requiredText,
  priority: requiredText,
  rule: requiredText,
  hostname: z.string('must be a string').default(''),
  time: z
    .string('must be a string')
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return null;
      const time = parseRfc3339(text);
      if (time === null) ctx.addIssue({ code: 'custom', message: 'is not an RFC 3339 time' });
      return time;
    }),
  source: z
    .string('must be a string')
    .default('')
    .transform((source) => (source === '' ? 'syscall' : source)),
  output_fields: z.record(z.string(), z.json(), 'must be an object').default({}),
  // Falco only sends string tags; anything else is kept as text rather than failing the alert.
  tags: z
    .array(z.unknown(), 'must be an array')
    .default([])
    .transform((tags) => tags.map((tag) => (typeof tag === 'string' ? tag : String(tag)))),
});

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(payloadSchema.shape));

/**
 * Keeps the known keys, matched case-insensitively as Go's JSON decoder does (`"Rule"` works;
 * upstream examples rely on it). An exactly lower-case key wins over a differently cased duplicate.
 * null counts as absent, as it leaves a Go field at its zero value.
 */
function pickKnownKeys(payload: object): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  const exact = new Set<string>();
  for (const [key, value] of Object.entries(payload)) {
    const name = key.toLowerCase();
    if (!KNOWN_KEYS.has(name) || value === null || exact.has(name)) continue;
    picked[name] = value;
    if (key === name) exact.add(name);
  }
  return picked;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function failure(error: string): DecodeResult {
  return Object.freeze({ ok: false, error });
}

/**
 * Decodes one alert as Falco (`json_output: true`) or falcosidekick posts it. The event's `output`
 * is already stripped of Falco's time-and-priority prefix. Never throws: a bad body is a result,
 * which the HTTP layer turns into a 400.
 */
export function decodeEvent(body: string): DecodeResult {
  if (body.trim() === '') return failure('empty body');
  if (nestingExceeds(body, MAX_NESTING)) return failure(`JSON nested deeper than ${MAX_NESTING} levels`);
  let payload: unknown;
  try {
    payload = JSON.parse(quoteUnsafeIntegers(body));
  } catch (error) {
    return failure(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return failure(`expected a JSON object, got ${kindOf(payload)}`);
  }
  const parsed = payloadSchema.safeParse(pickKnownKeys(payload));
  if (!parsed.success) {
    return failure(parsed.error.issues.map((issue) => `field '${issue.path.join('.')}' ${issue.message}`).join('; '));
  }
  const { output, ...rest } = parsed.data;
  const event: FalcoEvent = { ...rest, output: stripOutputPrefix(output) };
  return deepFreeze({ ok: true, event });
}

import { isMap, isScalar } from 'yaml';
import { DURATION_HINT, normaliseDuration } from './durations.ts';
import type { Located } from './raw.ts';
import type { RetrySpec } from './types.ts';
import { fail, fieldsOf, isAbsent, posOf, type Field, type NodeCtx } from './yaml-nodes.ts';

/**
 * The extension keys an action may carry beyond Talon's format: `retry:` (Temporal retry policy
 * overrides) and `timeout:` (start-to-close timeout of one attempt).
 */

const RETRY_KEYS = ['max_attempts', 'initial_interval', 'max_interval', 'backoff_coefficient'] as const;

function scalarValue(field: Field): unknown {
  return isScalar(field.value) ? field.value.value : undefined;
}

function readDuration(ctx: NodeCtx, field: Field, label: string): string | undefined {
  const duration = normaliseDuration(scalarValue(field));
  if (duration === undefined) fail(ctx, field.value ?? field.key, `'${label}' must be ${DURATION_HINT}`);
  return duration;
}

export function readTimeout(ctx: NodeCtx, field: Field | undefined): string | undefined {
  return field === undefined || isAbsent(field) ? undefined : readDuration(ctx, field, 'timeout');
}

export function readRetry(ctx: NodeCtx, field: Field | undefined): Located<RetrySpec> | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  if (!isMap(field.value)) {
    fail(ctx, field.value ?? field.key, `'retry' must be a map`);
    return undefined;
  }
  const fields = fieldsOf(ctx, field.value);
  for (const [key, { key: keyNode }] of fields) {
    if (!RETRY_KEYS.some((known) => known === key)) {
      fail(ctx, keyNode, `unknown key '${key}' in 'retry' (expected one of ${RETRY_KEYS.join(', ')})`);
    }
  }
  const present = (key: string): Field | undefined => {
    const found = fields.get(key);
    return found === undefined || isAbsent(found) ? undefined : found;
  };
  const spec: { -readonly [K in keyof RetrySpec]: RetrySpec[K] } = {};
  const attempts = present('max_attempts');
  if (attempts !== undefined) {
    const value = scalarValue(attempts);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1) spec.maxAttempts = value;
    else fail(ctx, attempts.value, `'retry.max_attempts' must be an integer of at least 1`);
  }
  const initial = present('initial_interval');
  const initialInterval = initial && readDuration(ctx, initial, 'retry.initial_interval');
  if (initialInterval !== undefined) spec.initialInterval = initialInterval;
  const max = present('max_interval');
  const maxInterval = max && readDuration(ctx, max, 'retry.max_interval');
  if (maxInterval !== undefined) spec.maxInterval = maxInterval;
  const coefficient = present('backoff_coefficient');
  if (coefficient !== undefined) {
    const value = scalarValue(coefficient);
    if (typeof value === 'number' && Number.isFinite(value) && value >= 1) spec.backoffCoefficient = value;
    else fail(ctx, coefficient.value, `'retry.backoff_coefficient' must be a number of at least 1`);
  }
  return { value: spec, pos: posOf(ctx, field.key) };
}

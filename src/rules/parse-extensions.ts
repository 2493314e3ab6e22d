import { isMap, isScalar } from 'yaml';
import { DURATION_HINT, normaliseDuration } from '../contract/durations.ts';
import type { ApprovalPolicy } from '../contract/index.ts';
import type { Located } from './raw.ts';
import type { RetrySpec } from './types.ts';
import { fail, fieldsOf, isAbsent, posOf, readStringList, type Field, type NodeCtx } from './yaml-nodes.ts';

/**
 * The extension keys beyond Talon's format: on an action `retry:` (Temporal retry policy
 * overrides), `timeout:` (start-to-close timeout of one attempt), `approval:`, `expire_after:` and `local:`;
 * on a rule `approval:`.
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

export function readExpireAfter(ctx: NodeCtx, field: Field | undefined): Located<string> | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  const duration = readDuration(ctx, field, 'expire_after');
  return duration === undefined ? undefined : { value: duration, pos: posOf(ctx, field.key) };
}

const APPROVAL_KEYS = ['timeout', 'default', 'approvers'] as const;

/** Until a decision comes: a quarter of an hour, then the action does not run. */
export const APPROVAL_DEFAULTS: ApprovalPolicy = { timeout: '15m', default: 'deny', approvers: [] };

/** `approval: {timeout: 15m, default: deny, approvers: [alice]}`; `approval: true` takes the defaults. */
export function readApproval(ctx: NodeCtx, field: Field | undefined): ApprovalPolicy | undefined {
  if (field === undefined || isAbsent(field)) return undefined;
  if (isScalar(field.value) && typeof field.value.value === 'boolean') return field.value.value ? APPROVAL_DEFAULTS : undefined;
  if (!isMap(field.value)) {
    fail(ctx, field.value ?? field.key, `'approval' must be a map (timeout, default, approvers) or true`);
    return undefined;
  }
  const fields = fieldsOf(ctx, field.value);
  for (const [key, { key: keyNode }] of fields) {
    if (!APPROVAL_KEYS.some((known) => known === key)) fail(ctx, keyNode, `unknown key '${key}' in 'approval' (expected one of ${APPROVAL_KEYS.join(', ')})`);
  }
  const timeoutField = fields.get('timeout');
  const timeout = timeoutField === undefined || isAbsent(timeoutField) ? APPROVAL_DEFAULTS.timeout : readDuration(ctx, timeoutField, 'approval.timeout');
  const defaultField = fields.get('default');
  let outcome = APPROVAL_DEFAULTS.default;
  if (defaultField !== undefined && !isAbsent(defaultField)) {
    const value = scalarValue(defaultField);
    if (value === 'approve' || value === 'deny') outcome = value;
    else fail(ctx, defaultField.value, `'approval.default' must be approve or deny`);
  }
  const approvers = readStringList(ctx, fields.get('approvers'), 'approval.approvers').map((a) => a.value);
  return { timeout: timeout ?? APPROVAL_DEFAULTS.timeout, default: outcome, approvers };
}

import { ApplicationFailure } from '@temporalio/common';

/**
 * Errors are classified where they arise: a permanent failure (bad parameters, a 4xx, a missing
 * object) fails the action at once; anything else is retried by Temporal with backoff.
 */
export function permanent(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function retryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false });
}

/** Turns anything thrown by an actionner into an ApplicationFailure that records the attempt. */
export function toFailure(error: unknown, attempt: number): ApplicationFailure {
  if (error instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: error.type ?? 'Error',
      message: error.message,
      nonRetryable: error.nonRetryable ?? false,
      details: [{ attempt }],
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  // Unclassified errors (network resets, bugs in a client library) are retried: a transient fault is
  // the likelier cause, and the retry policy bounds the cost.
  return ApplicationFailure.create({ type: 'Error', message, nonRetryable: false, details: [{ attempt }] });
}

/** Short text for history and notifications: raw API bodies can be large. */
export function truncate(text: string, max = 512): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * Durations of the rule files' extension keys (`retry:`, `timeout:`, `expire_after:`, `approval.timeout`)
 * and of the configuration; pure, so workflow code uses it too. Rule files may write `500ms`, `2s`, `1.5m`,
 * `1h` or a plain number of seconds; the result is always an integer number of milliseconds
 * rendered in the largest exact unit, a form Temporal's duration parser accepts (`ms` syntax).
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;

function unitMs(unit: string): number | undefined {
  return unit === 'ms' || unit === 's' || unit === 'm' || unit === 'h' ? UNIT_MS[unit] : undefined;
}

/** Milliseconds, or undefined when the value is not a positive duration of at least 1 ms. */
export function durationMs(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string') {
    const parsed = DURATION.exec(value.trim());
    if (parsed === null) return undefined;
    const [, amount = '', unit = ''] = parsed;
    const factor = unitMs(unit);
    if (factor === undefined) return undefined;
    ms = Number(amount) * factor;
  } else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const rounded = Math.round(ms);
  return rounded >= 1 ? rounded : undefined;
}

export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** Normalised duration text, or undefined when the value is not a valid duration. */
export function normaliseDuration(value: unknown): string | undefined {
  const ms = durationMs(value);
  return ms === undefined ? undefined : formatDuration(ms);
}

export const DURATION_HINT = 'a duration like "500ms", "2s", "1m", "1h" or a number of seconds';

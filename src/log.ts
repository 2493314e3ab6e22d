import pino from 'pino';

export type Logger = pino.Logger;

/**
 * One logger per process. `json` (or any value but `color`/`text`, as in Talon) logs JSON lines;
 * `color`/`text` log plain lines to stderr for people at a terminal.
 */
export function createLogger(options: { format?: string; level?: string } = {}): Logger {
  const level = options.level ?? 'info';
  const pretty = options.format === 'color' || options.format === 'text';
  if (!pretty) return pino({ level, base: undefined });
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}

/** A logger that writes nothing, for tests and CLI commands that print their own output. */
export const silentLogger: Logger = pino({ level: 'silent' });

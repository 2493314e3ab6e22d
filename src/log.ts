import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/**
 * One logger per process, as Talon's `log_format`: `color` and `text` print readable lines to
 * stderr (with or without colour); anything else prints JSON lines to stdout for log collectors.
 */
export function createLogger(options: { format?: string; level?: string } = {}): Logger {
  const level = options.level ?? 'info';
  if (options.format !== 'color' && options.format !== 'text') return pino({ level, base: undefined });
  const stream = pretty({ colorize: options.format === 'color', destination: 2, sync: true, ignore: 'pid,hostname' });
  return pino({ level, base: undefined }, stream);
}

/** A logger that writes nothing, for tests and CLI commands that print their own output. */
export const silentLogger: Logger = pino({ level: 'silent' });

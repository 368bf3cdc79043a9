// One pino logger per broker; modules take a child with their own `module` field.

import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}

/** A logger that drops everything, for embedded use without logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

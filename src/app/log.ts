import type { Logger } from 'probot';

/** The part of pino's logger the app uses, so tests can pass a silent or recording one. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export const silentLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Log;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

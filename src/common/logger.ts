import { pino } from 'pino';

/** The logger every component derives from; one child per component, e.g. `logger.child({ component: 'store' })`. */
export type Logger = pino.Logger;

const level = process.env.COMETMQ_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');

export const rootLogger: Logger = pino({ level, base: { pid: process.pid } });

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}

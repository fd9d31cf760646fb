/** The daemon's log: JSON lines on stderr (journald keeps them under systemd), by pino. */
import { pino } from 'pino';
import type { Logger } from './ports.js';

export type DaemonLogger = Logger;

export function createLogger(level: string): DaemonLogger {
  // Synchronous writes: the lines of a crash or a SIGTERM are not lost in a buffer.
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

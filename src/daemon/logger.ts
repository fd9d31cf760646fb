/** The daemon's log: JSON lines on stderr (journald keeps them under systemd), by pino. */
import { pino } from 'pino';
import type { Logger } from './ports.js';

export type DaemonLogger = Logger;

export function createLogger(level: string): DaemonLogger {
  // Synchronous writes: the lines of a crash or a SIGTERM are not lost in a buffer.
  // No `pid` of our own in each line: journald records it, and `pid` names the target process.
  return pino({ level, base: null, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

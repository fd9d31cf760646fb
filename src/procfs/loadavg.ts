/**
 * /proc/loadavg's fourth field, "running/total": how many tasks are runnable right now, the
 * reader included. Whether CPUs are free at this instant, in one small read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procDir } from './read.js';

/** The runnable count of a /proc/loadavg text; undefined when the text is not one. */
export function parseRunnable(text: string): number | undefined {
  const m = /^\S+ \S+ \S+ (\d+)\/\d+ /.exec(text);
  return m === null ? undefined : Number(m[1]);
}

/** Tasks runnable now, this one included; undefined when /proc/loadavg cannot be read. */
export function readRunnable(root = '/'): number | undefined {
  try {
    return parseRunnable(readFileSync(join(procDir(root), 'loadavg'), 'utf8'));
  } catch {
    return undefined;
  }
}

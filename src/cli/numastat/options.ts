/** numastat's single-letter options, and what its front end prints after a complaint. */
import type { OptionSpec } from '../command.js';

const flag = (short: string, description: string): OptionSpec => ({ type: 'boolean', short, shortOnly: true, description });

export const NUMASTAT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  c: flag('c', 'columns as narrow as their contents, no decimals'),
  m: flag('m', 'per-node meminfo, in MB'),
  n: flag('n', 'the allocation counters, in MB'),
  p: { type: 'string', short: 'p', shortOnly: true, valueName: 'PID|PATTERN', description: 'a process, or every process whose name or command line contains PATTERN' },
  s: { type: 'string', short: 's', shortOnly: true, optionalValue: true, valueName: 'NODE', description: "sort rows by the total, or by NODE's column (attached: -s2)" },
  v: flag('v', 'a table per process, also for several'),
  V: flag('V', 'the numastat version these layouts follow'),
  z: flag('z', 'leave out rows and columns of zeros'),
  help: { type: 'boolean', short: '?', description: 'this usage' },
};

/** In numapol's words (the golden tests compare what comes before it). */
export const NUMASTAT_USAGE = `Usage: numastat [-c] [-m] [-n] [-v] [-V] [-z] [-s[NODE]] [-p PID|PATTERN]... [PID|PATTERN]...
Per-node memory: without arguments the allocation counters in pages, as the old numastat;
-n the counters in MB; -m per-node meminfo in MB; -p (or a bare PID or PATTERN) the memory of
processes per node, one row each (-v: a table each, split into Huge, Heap, Stack, Private).
-c fits columns to their contents, -z leaves out zeros, -s sorts rows by the total or by NODE.
NUMASTAT_WIDTH folds wide tables.  This is numapol's numastat: see 'numapol stat --help'.
`;

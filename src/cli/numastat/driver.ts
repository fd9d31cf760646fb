/**
 * numastat's command line, as numastat 2.0.16 walks it: options in order (-p patterns are
 * searched and -V answers where they stand), then the PIDs and patterns left over, then the
 * reports: processes, -m, and the counters (-n, or when nothing else was asked). Shared by the
 * numastat front end and `numapol stat`, which differ only in how they complain.
 */
import { isProblem, type GetoptEvent } from '../getopt.js';
import type { Io, OptionSpec } from '../command.js';
import { version } from '../version.js';
import { numastatNodes, pidsMatching, processTables, screenWidth, systemTable, type NumastatSettings } from './report.js';

export interface NumastatCall {
  readonly events: readonly GetoptEvent[];
  readonly operands: readonly string[];
  /** The command's options: events are read by their short letter (numastat's). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** No arguments at all: the old numastat's layout. */
  readonly compat: boolean;
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  readonly isTty: boolean;
  /** getopt's complaint or -?/--help: print the usage and end (never returns). */
  readonly usage: (problem?: string) => never;
  /** A -p PATTERN that matched nothing: numastat says so and carries on. */
  readonly noMatch: (pattern: string) => void;
  /** `--sort NODE` (numapol stat only): the node, checked. */
  readonly sortNode?: number;
  /** Called with each PID before anything is printed (numapol stat refuses gone ones). */
  readonly checkPid?: (pid: number) => void;
}

const allDigits = (s: string): boolean => /^\d+$/.test(s) || s === '';

/** C's atoi for a string of digits. */
const atoi = (s: string): number => Number.parseInt(s, 10) || 0;

/** Runs numastat's reports; returns the exit status. */
export function runNumastat(c: NumastatCall): number {
  const letter = (name: string): string | undefined => c.options[name]?.short;
  let compress = false;
  let meminfo = false;
  let counters = false;
  let verbose = false;
  let showZero = true;
  let sort = c.sortNode !== undefined;
  let sortNode = c.sortNode ?? -1;
  const pids: number[] = [];
  const addPattern = (p: string): void => {
    const found = pidsMatching(p);
    if (found.length === 0) c.noMatch(p);
    pids.push(...found);
  };
  for (const e of c.events) {
    if (isProblem(e)) return c.usage(e.problem);
    switch (letter(e.name)) {
      case 'c': compress = true; break;
      case 'm': meminfo = true; break;
      case 'n': counters = true; break;
      case 'p': if (e.value !== undefined && allDigits(e.value)) pids.push(atoi(e.value)); else addPattern(e.value ?? ''); break;
      case 's':
        sort = true;
        if (e.value !== undefined && allDigits(e.value)) sortNode = atoi(e.value);
        break;
      case 'v': verbose = true; break;
      case 'V':
        c.io.stdout(`numastat version: 20130723: numapol ${version()}\n`);
        return 0;
      case 'z': showZero = false; break;
      case '?': return c.usage();
      default: break;
    }
  }
  for (const w of c.operands) {
    if (allDigits(w)) pids.push(atoi(w));
    else addPattern(w);
  }
  const nodes = numastatNodes();
  if (nodes.length === 0) {
    c.io.stderr(c.compat ? 'sysfs not mounted or system not NUMA aware: No such file or directory\n' : "Couldn't open /sys/devices/system/node: No such file or directory\n");
    return 1;
  }
  const s: NumastatSettings = { compress, verbose, showZero, sort, sortNode, screenWidth: screenWidth(c.env, c.isTty), compat: c.compat };
  if (c.compat) return systemTable('numastat', nodes, s, c.io) ? 0 : 1;
  const unique = [...new Set(pids)].sort((a, b) => a - b);
  for (const pid of unique) c.checkPid?.(pid);
  if (unique.length > 0) processTables(unique, nodes, s, c.io);
  if (meminfo && !systemTable('meminfo', nodes, s, c.io)) return 1;
  if ((counters || (unique.length === 0 && !meminfo)) && !systemTable('numastat', nodes, s, c.io)) return 1;
  return 0;
}

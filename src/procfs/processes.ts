/**
 * The process list: /proc/[0-9]*, with each process's comm and cmdline.
 */
import { readdirSync } from 'node:fs';
import { NumapolError, ProcessGoneError } from '../errors.js';
import { procDir, readProcHead, readProcText, type ProcOptions } from './read.js';

export interface ProcessInfo {
  pid: number;
  /** Command name (16 bytes at most, settable by the process). */
  comm: string;
  /** argv; empty for kernel threads and zombies. */
  cmdline: string[];
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Pids of all processes (thread-group leaders), ascending. */
export function listPids(opts: Pick<ProcOptions, 'root'> = {}): number[] {
  const dir = procDir(opts.root);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new NumapolError('ENOENT', `cannot list ${dir}: ${(e as Error).message} (is /proc mounted?)`, { cause: e });
  }
  const pids: number[] = [];
  for (const n of names) if (isDigits(n)) pids.push(Number(n));
  return pids.sort((a, b) => a - b);
}

/**
 * Command name of a process or thread: 16 bytes at most (a kernel worker's adds its workqueue's
 * name). Read as a head: readFileSync's stat and growing buffer cost 3x more, once per thread.
 */
export function readComm(pid: number, opts: ProcOptions = {}): string {
  const t = readProcHead(pid, 'comm', 256, opts);
  return t.endsWith('\n') ? t.slice(0, -1) : t;
}

/** argv of a process, split on NUL. */
export function readCmdline(pid: number, opts: Pick<ProcOptions, 'root'> = {}): string[] {
  const t = readProcText(pid, 'cmdline', opts);
  if (t === '') return [];
  const parts = t.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** One process's comm and cmdline. */
export function readProcessInfo(pid: number, opts: Pick<ProcOptions, 'root'> = {}): ProcessInfo {
  return { pid, comm: readComm(pid, opts), cmdline: readCmdline(pid, opts) };
}

/** Every process that still exists by the time it is read (ones that exit meanwhile are skipped). */
export function listProcesses(opts: Pick<ProcOptions, 'root'> = {}): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of listPids(opts)) {
    try {
      out.push(readProcessInfo(pid, opts));
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
    }
  }
  return out;
}

/**
 * Processes matching `pattern` like `numastat -p`: a string of digits is a pid; another string
 * matches as a substring of comm or of the command line; a RegExp is tested against both.
 */
export function findProcesses(pattern: string | RegExp, opts: Pick<ProcOptions, 'root'> = {}): ProcessInfo[] {
  if (typeof pattern === 'string' && isDigits(pattern)) {
    try {
      return [readProcessInfo(Number(pattern), opts)];
    } catch (e) {
      if (e instanceof ProcessGoneError) return [];
      throw e;
    }
  }
  const test =
    typeof pattern === 'string'
      ? (s: string): boolean => s.includes(pattern)
      : (s: string): boolean => {
          pattern.lastIndex = 0;
          return pattern.test(s);
        };
  return listProcesses(opts).filter((p) => test(p.comm) || (p.cmdline.length > 0 && test(p.cmdline.join(' '))));
}

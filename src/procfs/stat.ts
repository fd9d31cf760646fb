/**
 * /proc/PID/stat: one line of space-separated fields (proc(5), fs/proc/array.c do_task_stat).
 * The second field is the command name in parentheses, printed raw: it may hold spaces,
 * parentheses and newlines, and a kernel worker's runs to 64 bytes. Every field after it is a
 * number or the state letter, so the name ends at the line's last ')'.
 */
import { ParseError } from '../errors.js';
import { readProcHead, type ProcOptions } from './read.js';

/** The fields numapol uses, by the kernel's names; field numbers as in proc(5). */
export interface ProcStat {
  /** 1: the thread-group id (or the thread id, read under task/). */
  pid: number;
  /** 2: the command name, as /proc/PID/comm has it. */
  comm: string;
  /** 3: R, S, D, T, t, Z, X, I... */
  state: string;
  /** 4 */
  ppid: number;
  /** 5, 6 */
  pgrp: number;
  session: number;
  /** 9: PF_* flags of the task (PF_KTHREAD 0x00200000 marks a kernel thread). */
  flags: number;
  /** 10, 12: page faults without and with I/O. */
  minflt: number;
  majflt: number;
  /** 14, 15: CPU time in user and kernel mode, clock ticks. */
  utime: number;
  stime: number;
  /** 18, 19 */
  priority: number;
  nice: number;
  /** 20 */
  numThreads: number;
  /** 22: start time, clock ticks after boot; with the pid, what names a process for good. */
  starttime: number;
  /** 23: virtual memory size, bytes. */
  vsize: number;
  /** 24: resident set size, pages. */
  rss: number;
  /** 39: the CPU it last ran on; -1 when the kernel does not print it. */
  processor: number;
  /** Every field from 3 (state) on, as printed: fields[i] is field i + 3. */
  fields: string[];
}

/** PF_KTHREAD in include/linux/sched.h. */
export const PF_KTHREAD = 0x00200000;

const WHAT = '/proc/PID/stat';
/** Fields up to rss (24), which every kernel numapol runs on prints. */
const MIN_FIELDS = 24;

/** Parses the text of /proc/PID/stat. Throws ParseError when it is not one. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open <= 0 || close < open) throw new ParseError(WHAT, text, 0, 'expected "PID (COMM) ..."');
  const pid = Number(text.slice(0, open));
  if (!Number.isSafeInteger(pid) || pid < 0) throw new ParseError(WHAT, text, 0, 'the pid is not a number');
  const rest = text.slice(close + 1).trim();
  const fields = rest === '' ? [] : rest.split(' ');
  if (fields.length < MIN_FIELDS - 2) {
    throw new ParseError(WHAT, text, close + 1, `${fields.length + 2} fields, expected at least ${MIN_FIELDS}`);
  }
  const num = (field: number): number => {
    const s = fields[field - 3];
    if (s === undefined) return -1;
    const v = Number(s);
    if (s === '' || !Number.isFinite(v)) throw new ParseError(WHAT, text, close + 2 + rest.indexOf(s), `field ${field} is not a number`);
    return v;
  };
  return {
    pid,
    comm: text.slice(open + 2, close),
    state: fields[0]!,
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    flags: num(9),
    minflt: num(10),
    majflt: num(12),
    utime: num(14),
    stime: num(15),
    priority: num(18),
    nice: num(19),
    numThreads: num(20),
    starttime: num(22),
    vsize: num(23),
    rss: num(24),
    processor: num(39),
    fields,
  };
}

/**
 * Reads /proc/PID/stat (a thread's with `tid`). A head read: the line is never near 4 KiB,
 * and it costs an open, two reads and a close. Throws ProcessGoneError when the process is gone.
 */
export function readStat(pid: number, opts: ProcOptions = {}): ProcStat {
  return parseStat(readProcHead(pid, 'stat', 4096, opts));
}

/** True for a kernel thread (PF_KTHREAD in its flags). */
export function isKernelThread(stat: Pick<ProcStat, 'flags'>): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

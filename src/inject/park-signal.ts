/**
 * Which signals a thread may park with (x86_64-park.ts): a parked thread stops in the
 * signal-delivery-stop of a signal it sent itself, and if numapol dies the kernel delivers that
 * signal to the program. So it must be one whose delivery does nothing in this process:
 * - one the process ignores (SIG_IGN: SigIgn in /proc/PID/status), or
 * - SIGCHLD, SIGURG or SIGWINCH with no handler (their default action is to ignore).
 * Never SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP or SIGKILL: those act when sent, whatever
 * the disposition (SIGCONT resumes a stopped process, a stop signal discards a pending
 * SIGCONT). Dispositions are the process's, shared by its threads, and cannot change while every
 * thread is stopped.
 *
 * A process that ignores nothing and handles all three (Go programs do) gets SIGURG: if numapol
 * dies while one of its threads is parked, that thread's handler sees one SIGURG it did not
 * expect. Go's runtime uses SIGURG for preemption and documents that a program must expect
 * SIGURG at any time.
 */
import { signalBit } from './signal-masks.js';

const SIGKILL = 9;
const SIGCHLD = 17;
const SIGCONT = 18;
const SIGSTOP = 19;
const SIGTSTP = 20;
const SIGTTIN = 21;
const SIGTTOU = 22;
const SIGURG = 23;
const SIGWINCH = 28;

/** Standard signals (1-31) that act when sent: never used to park. */
const ACT_WHEN_SENT = [SIGKILL, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU].reduce((m, s) => m | signalBit(s), 0n);
const STANDARD = (1n << 31n) - 1n;
const DEFAULT_IGNORE = signalBit(SIGCHLD) | signalBit(SIGURG) | signalBit(SIGWINCH);

export interface ParkSignals {
  /** The signals a thread may park with (bit n-1 = signal n); never empty. */
  readonly mask: bigint;
  /** True when delivering any of them does nothing; false for the SIGURG fallback. */
  readonly quiet: boolean;
}

/** The park signals of a process whose SigIgn and SigCgt masks are `sigIgn` and `sigCgt`. */
export function parkSignals(sigIgn: bigint, sigCgt: bigint): ParkSignals {
  const ignored = sigIgn & STANDARD & ~ACT_WHEN_SENT;
  const defaultIgnored = DEFAULT_IGNORE & ~sigCgt;
  const mask = ignored | defaultIgnored;
  if (mask !== 0n) return { mask, quiet: true };
  return { mask: signalBit(SIGURG), quiet: false };
}

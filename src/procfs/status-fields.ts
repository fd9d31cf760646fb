/**
 * Single fields of /proc/PID/status text, looked up where they are instead of splitting the
 * whole file (parseStatus in status.ts does that, for display). The injection engine reads a
 * status file before every operation and per thread (tracer, pending signals): splitting it
 * into a map of fields cost more than the ptrace calls of a one-thread operation. Each lookup
 * is one String.indexOf (a V8 builtin, far cheaper than a Buffer.indexOf's call into C++ or a
 * walk over the bytes in JavaScript).
 */
import { hexDigit } from './hex.js';

const TAB = 0x09;
const SPACE = 0x20;

/**
 * Where the value of field `name` starts in `text`, after its tabs; -1 for a line this kernel
 * does not print. A name cannot match inside a value: values never hold a newline (the kernel
 * escapes one in a command name), so every match but the file's first line follows one.
 */
export function statusFieldAt(text: string, name: string): number {
  const key = `${name}:`;
  let at: number;
  if (text.startsWith(key)) at = key.length;
  else {
    const nl = text.indexOf(`\n${key}`);
    if (nl < 0) return -1;
    at = nl + 1 + key.length;
  }
  while (text.charCodeAt(at) === TAB || text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** The decimal number at `at`, up to the first non-digit; 0 when there is none (at -1 included). */
export function statusDecimalAt(text: string, at: number): number {
  let n = 0;
  for (let i = at; i >= 0 && i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

/** The text from `at` to the end of its line, trailing blanks trimmed ('' when at is -1). */
export function statusTextAt(text: string, at: number): string {
  if (at < 0) return '';
  const end = text.indexOf('\n', at);
  return text.slice(at, end < 0 ? text.length : end).trimEnd();
}

/** The 64-bit hexadecimal signal mask at `at` (SigPnd, SigIgn and kin); 0 when absent. */
export function statusMaskAt(text: string, at: number): bigint {
  let hi = 0;
  let lo = 0;
  let digits = 0;
  for (let i = at; i >= 0 && i < text.length; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) break;
    // Two 32-bit halves: exact in doubles, one BigInt at the end.
    hi = ((hi * 16) % 0x100000000) + Math.floor(lo / 0x10000000);
    lo = ((lo * 16) % 0x100000000) + d;
    digits++;
  }
  return digits === 0 ? 0n : (BigInt(hi) << 32n) | BigInt(lo);
}

/** The effective uid: the second number of the Uid line (real, effective, saved, filesystem); -1 when absent. */
export function statusEffectiveUid(text: string): number {
  const uids = statusFieldAt(text, 'Uid');
  if (uids < 0) return -1;
  const lineEnd = text.indexOf('\n', uids);
  const tab = text.indexOf('\t', uids);
  return tab < 0 || (lineEnd >= 0 && tab > lineEnd) ? -1 : statusDecimalAt(text, tab + 1);
}

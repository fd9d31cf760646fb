/**
 * /proc/PID/smaps: per-VMA memory accounting (Rss, Pss, AnonHugePages, Swap...), read only when
 * asked because the kernel walks every page table to produce it.
 */
import { hexToBigInt } from './hex.js';
import { linesOf } from './lines.js';
import { readProcText, type ProcOptions } from './read.js';

export interface SmapsEntry {
  start: bigint;
  end: bigint;
  sizeKiB: number;
  rssKiB: number;
  pssKiB: number;
  /** Anonymous: private anonymous memory resident. */
  anonymousKiB: number;
  /** Memory backed by transparent huge pages. */
  anonHugePagesKiB: number;
  swapKiB: number;
  lockedKiB: number;
  kernelPageSizeKiB: number;
  mmuPageSizeKiB: number;
  /** THPeligible: 1 if khugepaged may collapse this VMA; undefined on old kernels. */
  thpEligible?: boolean;
  /** Two-letter VmFlags ("rd", "wr", "mr", "hg", "nh"...). */
  vmFlags: string[];
  /** Every numeric field by its kernel name (kB values and counts). */
  fields: Record<string, number>;
}

function isHeader(line: string): boolean {
  // Field lines start with an upper-case key; VMA headers with a lower-case hex address.
  const c = line.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** Parse smaps text into one entry per VMA. */
export function parseSmaps(text: string): SmapsEntry[] {
  const out: SmapsEntry[] = [];
  let cur: SmapsEntry | undefined;
  for (const line of linesOf(text)) {
    if (isHeader(line)) {
      const dash = line.indexOf('-');
      const sp = line.indexOf(' ', dash);
      if (dash <= 0 || sp < 0) continue;
      cur = {
        start: hexToBigInt(line.slice(0, dash)),
        end: hexToBigInt(line.slice(dash + 1, sp)),
        sizeKiB: 0,
        rssKiB: 0,
        pssKiB: 0,
        anonymousKiB: 0,
        anonHugePagesKiB: 0,
        swapKiB: 0,
        lockedKiB: 0,
        kernelPageSizeKiB: 0,
        mmuPageSizeKiB: 0,
        vmFlags: [],
        fields: {},
      };
      out.push(cur);
      continue;
    }
    if (cur === undefined) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const rest = line.slice(colon + 1).trim();
    if (key === 'VmFlags') {
      cur.vmFlags = rest === '' ? [] : rest.split(/\s+/);
      continue;
    }
    const v = Number.parseInt(rest, 10);
    if (!Number.isFinite(v)) continue;
    cur.fields[key] = v;
    switch (key) {
      case 'Size':
        cur.sizeKiB = v;
        break;
      case 'Rss':
        cur.rssKiB = v;
        break;
      case 'Pss':
        cur.pssKiB = v;
        break;
      case 'Anonymous':
        cur.anonymousKiB = v;
        break;
      case 'AnonHugePages':
        cur.anonHugePagesKiB = v;
        break;
      case 'Swap':
        cur.swapKiB = v;
        break;
      case 'Locked':
        cur.lockedKiB = v;
        break;
      case 'KernelPageSize':
        cur.kernelPageSizeKiB = v;
        break;
      case 'MMUPageSize':
        cur.mmuPageSizeKiB = v;
        break;
      case 'THPeligible':
        cur.thpEligible = v !== 0;
        break;
    }
  }
  return out;
}

/** Read /proc/PID/smaps (or a thread's with `tid`). */
export function readSmaps(pid: number, opts: ProcOptions = {}): SmapsEntry[] {
  return parseSmaps(readProcText(pid, 'smaps', opts));
}

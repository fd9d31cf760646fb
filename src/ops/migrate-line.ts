/**
 * The seeds' migrate lines for numa_maps (seed 003's patch): `ADDR N0>1` moves the pages of the
 * VMA at ADDR on node 0 to node 1, `ADDR N0(100)>1` at most 100 of them, `ADDR 0-1>2,3` nodes 0
 * and 1 to 2 and 3 (0→2, 1→3, as migrate_pages maps them), `START-END N0>1` a range. `numapol
 * apply` feeds such lines here.
 */
import { ParseError } from '../errors.js';
import { pageSize } from '../kernel/index.js';
import { parseNodeList, type NodeSet } from '../policy/index.js';
import { hexAddr, type AddressRange } from './address-range.js';
import { migrationMap } from './migrate.js';
import { failedPages, movePagesPaced, processError, selectionSegments, type Flow, type PageTally } from './move-pages.js';
import { moveFlags, nodesOf } from './move.js';
import type { OpsOptions } from './options.js';
import type { PaceOptions } from './pace.js';

export interface MigrateLine {
  /** The VMA at `start` (no end) or [start, end). */
  readonly range: AddressRange;
  readonly from: NodeSet;
  readonly to: NodeSet;
  /** At most this many pages (`N0(100)`). */
  readonly maxPages?: number;
}

const LINE = /^\s*(?:0x)?([0-9a-fA-F]+)(?:-(?:0x)?([0-9a-fA-F]+))?\s+[Nn]?([^(>\s]+)\s*(?:\(\s*(\d+)\s*\))?\s*>\s*[Nn]?(\S+)\s*$/;

/** True when `text` looks like a migrate line (has `>`), so apply can tell it from a policy line. */
export function isMigrateLine(text: string): boolean {
  return /^\s*(?:0x)?[0-9a-fA-F]+(?:-(?:0x)?[0-9a-fA-F]+)?\s+[^=]*>/.test(text);
}

/** Parses one migrate line; throws ParseError pointing at the problem. */
export function parseMigrateLine(text: string): MigrateLine {
  const m = LINE.exec(text);
  if (!m) {
    const gt = text.indexOf('>');
    throw new ParseError('migrate line', text, gt < 0 ? text.length : 0, gt < 0 ? "expected 'ADDR N<from>[(<pages>)]><to>', e.g. '7f00a000 N0>1'" : "expected 'ADDR N<from>[(<pages>)]><to>'");
  }
  const start = BigInt(`0x${m[1]}`);
  const end = m[2] === undefined ? undefined : BigInt(`0x${m[2]}`);
  if (end !== undefined && end <= start) throw new ParseError('migrate line', text, text.indexOf('-'), 'the range ends before it starts');
  const from = parseNodeList(m[3]!);
  const to = parseNodeList(m[5]!.replace(/,[Nn]/g, ','));
  return {
    range: end === undefined ? { start } : { start, end },
    from,
    to,
    ...(m[4] === undefined ? {} : { maxPages: Number(m[4]) }),
  };
}

export interface MigrateLineReport {
  readonly pid: number;
  readonly line: string;
  readonly start: string;
  readonly end: string;
  readonly map: readonly { from: number; to: number }[];
  readonly tally: PageTally;
  readonly failed: number;
  readonly flows: readonly Flow[];
  readonly bytesMoved: number;
  readonly durationMs: number;
}

export interface ApplyMigrateOptions extends OpsOptions, PaceOptions {
  readonly dryRun?: boolean;
  readonly moveShared?: boolean;
}

/** Parses and carries out one migrate line on `pid`. */
export async function applyMigrateLine(pid: number, line: string | MigrateLine, opts: ApplyMigrateOptions = {}): Promise<MigrateLineReport> {
  const ml = typeof line === 'string' ? parseMigrateLine(line) : line;
  const root = opts.root;
  const from = nodesOf(ml.from, pid, root);
  const to = nodesOf(ml.to, pid, root);
  // One destination takes every source (N0-3>1); otherwise the kernel's relative mapping.
  const map = to.length === 1 ? new Map(from.filter((n) => n !== to[0]).map((n) => [n, to[0]!] as const)) : migrationMap(from, to);
  const ps = pageSize();
  const segs = selectionSegments(pid, root, { range: ml.range }, ps);
  const destOf = (n: number): number | undefined => map.get(n) ?? (from.includes(n) ? n : undefined);
  try {
    const r = await movePagesPaced(pid, segs, destOf, ps, {
      flags: moveFlags(opts.moveShared),
      ...(ml.maxPages === undefined ? {} : { maxPages: ml.maxPages }),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.batchPages === undefined ? {} : { batchPages: opts.batchPages }),
      ...(opts.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: opts.rateBytesPerSecond }),
    });
    return {
      pid,
      line: typeof line === 'string' ? line.trim() : '',
      start: hexAddr(segs[0]!.start),
      end: hexAddr(segs[segs.length - 1]!.end),
      map: [...map].map(([f, t]) => ({ from: f, to: t })),
      tally: r.tally,
      failed: failedPages(r.tally),
      flows: r.flows,
      bytesMoved: r.bytesMoved,
      durationMs: r.durationMs,
    };
  } catch (e) {
    throw processError(e, pid);
  }
}

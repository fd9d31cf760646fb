/** Text shared by `migrate`, `move` and `apply`'s migrate lines: per-page outcomes and flows. */
import { UsageError } from '../errors.js';
import type { Flow, PageTally, Progress } from '../ops/move-pages.js';
import type { PaceOptions } from '../ops/pace.js';
import type { ParsedValues } from './command.js';
import { optInt, optString } from './args.js';
import { progressBar } from './progress.js';
import { formatBytes, formatTable } from './table.js';

/** --rate MB/s and --batch PAGES. */
export function paceOptions(values: ParsedValues): PaceOptions {
  const rate = optString(values, 'rate');
  const batch = optInt(values, 'batch', 1);
  let rateBytesPerSecond: number | undefined;
  if (rate !== undefined) {
    const n = Number(rate);
    if (!/^\d+(\.\d+)?$/.test(rate) || !(n > 0)) throw new UsageError(`--rate must be a positive number of MB/s, not '${rate}'`);
    rateBytesPerSecond = n * 1e6;
  }
  return { ...(rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond }), ...(batch === undefined ? {} : { batchPages: batch }) };
}

export const SHARED_OPTIONS = {
  'move-shared': { type: 'boolean', description: 'also move pages other processes map (MPOL_MF_MOVE_ALL; default when root)' },
  'no-move-shared': { type: 'boolean', description: 'leave pages other processes map where they are' },
} as const;

/** --move-shared / --no-move-shared as the ops take it: `moveShared` only when one was given. */
export function sharedOption(values: ParsedValues): { moveShared?: boolean } {
  if (values['move-shared'] === true) return { moveShared: true };
  if (values['no-move-shared'] === true) return { moveShared: false };
  return {};
}

/** What `migrate` and `move` take alike from the command line, plus the progress callback. */
export interface MoveCommonOptions extends PaceOptions {
  dryRun: boolean;
  moveShared?: boolean;
  onProgress: (p: Progress) => void;
}

/**
 * Runs a page move with the options both `migrate` and `move` share (--dry-run, --move-shared,
 * --rate, --batch) and a progress bar on a terminal, removed whatever happens.
 */
export async function withMoveOptions<T>(values: ParsedValues, run: (common: MoveCommonOptions) => Promise<T>): Promise<T> {
  const bar = progressBar();
  try {
    return await run({ dryRun: values['dry-run'] === true, ...sharedOption(values), ...paceOptions(values), onProgress: bar.update });
  } finally {
    bar.done();
  }
}

export const PACE_OPTIONS = {
  rate: { type: 'string', valueName: 'MB/s', description: 'move at most this many MB (10^6 bytes) per second, in ~10 ms steps' },
  batch: { type: 'string', valueName: 'PAGES', description: 'pages per move_pages step (bounds how long the target is held)' },
  'dry-run': { type: 'boolean', description: 'only print the plan: pages and bytes per source → destination node' },
} as const;

export function flowTable(flows: readonly Flow[]): string {
  if (flows.length === 0) return '';
  return formatTable(
    [{ header: 'from' }, { header: 'to' }, { header: 'pages', align: 'right' }, { header: 'bytes', align: 'right' }],
    flows.map((f) => [`N${f.from}`, `N${f.to}`, String(f.pages), formatBytes(f.bytes)]),
  );
}

/** "moved 100, already there 3, busy 2 ..." with only the non-zero outcomes. */
export function tallyLine(t: PageTally): string {
  const parts: [string, number][] = [
    ['moved', t.moved],
    ['already there', t.alreadyThere],
    ['not selected', t.notSelected],
    ['not present', t.notPresent],
    ['busy (pinned, locked or under I/O)', t.busy],
    ['no memory on the destination', t.noMemory],
    ['shared with other processes (needs CAP_SYS_NICE)', t.shared],
    ...Object.entries(t.other),
  ];
  const shown = parts.filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  return shown.length === 0 ? 'no pages' : shown.join(', ');
}

/**
 * Bounded stalls: a large move runs as many short move_pages steps instead of one call that
 * holds the target's page tables for seconds, optionally at a byte rate (memtierd's approach).
 * The pacer picks the step size, sleeps between steps to keep the rate, and remembers the
 * longest step so the report can say what the target felt.
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';

/**
 * Pages per move_pages call when no rate is asked for: 16 MiB of 4 KiB pages, 8 huge pages.
 * bench/migrate.ts (512 MiB of THP in the TCG guest, two runs) measured against migrate_pages on
 * the same bytes: batch 512 0.79-0.91x (258 steps: per-step costs show), 2048 1.28-1.29x, 4096
 * 1.28-1.33x, 16384 1.18-1.32x with steps 3x longer. 4096 is where throughput levels off while a
 * step stays short (about 120-320 ms emulated; 16 MiB at the 3-11 GB/s of real hardware is
 * a few ms).
 */
export const DEFAULT_BATCH_PAGES = 4096;

/** Step length a rate-limited move aims for (memtierd uses 10 ms steps). */
export const RATE_STEP_MS = 10;

export interface PaceOptions {
  /** Bytes per second at most (the CLI's --rate is in MB/s = 10^6 bytes/s). */
  readonly rateBytesPerSecond?: number;
  /** Pages per step; default DEFAULT_BATCH_PAGES, or what RATE_STEP_MS at the rate allows. */
  readonly batchPages?: number;
}

export interface PaceStats {
  readonly steps: number;
  /** Wall time of the longest single step (one move_pages call and its bookkeeping). */
  readonly longestStepMs: number;
  /** Time spent sleeping to keep the rate. */
  readonly sleptMs: number;
  /**
   * Bytes of the largest single step: at most batchPagesFor's pages, or one huge page when a
   * huge page alone is more (it cannot be cut). The bound a paced move keeps, in bytes.
   */
  readonly largestStepBytes: number;
}

export function checkPaceOptions(p: PaceOptions): void {
  if (p.rateBytesPerSecond !== undefined && !(p.rateBytesPerSecond > 0)) throw new UsageError('--rate must be more than 0 MB/s');
  if (p.batchPages !== undefined && !(Number.isSafeInteger(p.batchPages) && p.batchPages >= 1)) {
    throw new UsageError('--batch must be at least 1 page');
  }
}

/** Pages per step for these options and page size. */
export function batchPagesFor(p: PaceOptions, pageBytes: number): number {
  if (p.batchPages !== undefined) return p.batchPages;
  if (p.rateBytesPerSecond !== undefined) {
    const perStep = Math.floor((p.rateBytesPerSecond * RATE_STEP_MS) / 1000 / pageBytes);
    return Math.max(1, Math.min(DEFAULT_BATCH_PAGES, perStep));
  }
  return DEFAULT_BATCH_PAGES;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Pacer {
  private readonly t0 = performance.now();
  private bytes = 0;
  private steps = 0;
  private longest = 0;
  private slept = 0;
  private largest = 0;

  constructor(private readonly opts: PaceOptions) {}

  /** Runs one step that moves `bytes`, then sleeps as long as the rate requires. */
  async step<T>(bytes: number, fn: () => T): Promise<T> {
    const s0 = performance.now();
    const r = fn();
    const took = performance.now() - s0;
    this.steps++;
    if (took > this.longest) this.longest = took;
    this.bytes += bytes;
    if (bytes > this.largest) this.largest = bytes;
    const rate = this.opts.rateBytesPerSecond;
    if (rate !== undefined) {
      // Keep the cumulative rate, so a slow step is not followed by an extra sleep.
      const due = this.t0 + (this.bytes / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) {
        this.slept += wait;
        await sleep(wait);
      }
    }
    return r;
  }

  stats(): PaceStats {
    return { steps: this.steps, longestStepMs: this.longest, sleptMs: this.slept, largestStepBytes: this.largest };
  }
}

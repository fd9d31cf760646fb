/**
 * A progress line on stderr for long moves: bytes moved, rate and ETA. Only on a terminal, and
 * only once the move has run for a second, so short moves and pipes stay quiet.
 */
import type { Progress } from '../ops/move-pages.js';
import { formatBytes } from './table.js';

export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  readonly update: (p: Progress) => void;
  /** Clears the line if one was drawn. */
  readonly done: () => void;
}

function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The text of one progress line (exported for tests). */
export function progressLine(p: Progress, width = 80): string {
  const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
  const rate = p.elapsedMs > 0 ? (p.bytesDone / p.elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? ((p.bytesTotal - p.bytesDone) / rate) * 1000 : NaN;
  const tail = ` ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${formatBytes(rate)}/s ETA ${formatEta(eta)}`;
  const barWidth = Math.max(10, Math.min(40, width - tail.length - 3));
  const filled = Math.round(frac * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
}

/** A progress bar on `sink` (stderr by default); a no-op when it is not a terminal. */
export function progressBar(sink: ProgressSink = process.stderr, delayMs = 1000): ProgressBar {
  if (!sink.isTTY) return { update: () => {}, done: () => {} };
  let drawn = false;
  return {
    update: (p) => {
      if (p.elapsedMs < delayMs) return;
      drawn = true;
      sink.write(`\r${progressLine(p, sink.columns ?? 80)}\x1b[K`);
    },
    done: () => {
      if (drawn) sink.write('\r\x1b[K');
    },
  };
}

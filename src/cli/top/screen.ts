/**
 * `numapol top`'s two ways of showing frames. On a terminal: the alternate screen with the cursor
 * hidden, each frame drawn over the last, 'q' or Ctrl-C (or SIGINT/SIGTERM/SIGHUP) quits and puts
 * the terminal back as it was; a resize redraws at once. Elsewhere (a pipe, a file, ssh without a
 * tty): frames one after another, as `top -b` prints them. Plain ANSI sequences, no library.
 */
import type { MemoryView } from '../../ops/read/memory-view.js';
import type { FrameSize } from './frame.js';
import type { ViewSource } from './source.js';

const CSI = '\x1b[';
/** Alternate screen (xterm's 1049 also saves the cursor), cursor hidden, screen cleared. */
export const ENTER_SCREEN = `${CSI}?1049h${CSI}?25l${CSI}H${CSI}2J`;
/** Cursor shown, back to the normal screen and the saved cursor. */
export const LEAVE_SCREEN = `${CSI}?25h${CSI}?1049l`;

/** One frame over the previous: home, each line then clear to its end, clear what is below. */
export function drawSequence(lines: readonly string[]): string {
  return `${CSI}H${lines.map((l) => `${l}${CSI}K`).join('\r\n')}${CSI}J`;
}

/** Keys read in raw mode: q quits, as does Ctrl-C (raw mode turns it into a byte); space redraws now. */
export function keyAction(data: string): 'quit' | 'refresh' | undefined {
  if (/[qQ\x03\x04]/.test(data)) return 'quit';
  if (data.includes(' ')) return 'refresh';
  return undefined;
}

export interface TerminalOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
  off(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
}

export interface TerminalIn {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (data: Buffer | string) => void): unknown;
  off(event: 'data', listener: (data: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ShowOptions {
  readonly source: ViewSource;
  readonly first: MemoryView;
  readonly intervalMs: number;
  /** Frames to show, then exit (top -n); undefined: until quit. */
  readonly iterations?: number;
  /** The frame for a view, a size and a hint for the title. */
  readonly frame: (view: MemoryView, size: FrameSize, hint: string | undefined) => string[];
  readonly out: TerminalOut;
}

const QUIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Sleeps that a quit or a key cuts short. */
class Waker {
  quit = false;
  private wake: (() => void) | undefined;

  nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  stop(): void {
    this.quit = true;
    this.wake?.();
  }

  refresh(): void {
    this.wake?.();
  }
}

/** Looks and shows until `iterations` frames or a quit; returns the frames shown. */
async function frames(o: ShowOptions, w: Waker, show: (view: MemoryView) => void): Promise<number> {
  let view = o.first;
  let shown = 0;
  let lookedAt = performance.now();
  for (;;) {
    show(view);
    shown++;
    if (o.iterations !== undefined && shown >= o.iterations) break;
    await w.nap(lookedAt + o.intervalMs - performance.now());
    if (w.quit) break;
    lookedAt = performance.now();
    view = await o.source.look();
    if (w.quit) break;
  }
  return shown;
}

/** Batch mode: each frame whole, a blank line between frames. Stops when the reader goes away (EPIPE). */
export async function showBatch(o: ShowOptions, size: FrameSize): Promise<number> {
  const w = new Waker();
  const gone = (): void => w.stop();
  o.out.on('error', gone);
  try {
    return await frames(o, w, (view) => {
      if (w.quit) return;
      o.out.write(`${o.frame(view, size, undefined).join('\n')}\n\n`);
    });
  } finally {
    o.out.off('error', gone);
  }
}

/** Full-screen mode; the terminal is put back however it ends (quit, iterations, an error). */
export async function showScreen(o: ShowOptions & { readonly in: TerminalIn }): Promise<number> {
  const w = new Waker();
  const raw = o.in.isTTY === true && typeof o.in.setRawMode === 'function';
  const hint = raw ? 'q quits' : 'Ctrl-C quits';
  const size = (): FrameSize => ({ width: o.out.columns ?? 80, height: o.out.rows ?? 24 });
  let last: MemoryView | undefined;
  const draw = (): void => {
    if (last !== undefined) o.out.write(drawSequence(o.frame(last, size(), hint)));
  };
  const onKey = (data: Buffer | string): void => {
    const a = keyAction(data.toString());
    if (a === 'quit') w.stop();
    else if (a === 'refresh') w.refresh();
  };
  const onSignal = (): void => w.stop();
  const onResize = (): void => draw();
  const restore = (): void => {
    o.out.write(LEAVE_SCREEN);
  };
  o.out.write(ENTER_SCREEN);
  // Should node exit some other way (an uncaught error elsewhere), the terminal still comes back.
  process.once('exit', restore);
  for (const s of QUIT_SIGNALS) process.on(s, onSignal);
  o.out.on('resize', onResize);
  if (raw) {
    o.in.setRawMode!(true);
    o.in.on('data', onKey);
    o.in.resume();
  }
  let shown = 0;
  try {
    shown = await frames(o, w, (view) => {
      last = view;
      draw();
    });
  } finally {
    if (raw) {
      o.in.off('data', onKey);
      o.in.setRawMode!(false);
      o.in.pause();
    }
    o.out.off('resize', onResize);
    for (const s of QUIT_SIGNALS) process.off(s, onSignal);
    process.off('exit', restore);
    restore();
  }
  // After a set number of frames the last one stays on the normal screen, as top -n leaves it.
  if (!w.quit && last !== undefined && o.iterations !== undefined) o.out.write(`${o.frame(last, { width: size().width, height: Infinity }, undefined).join('\n')}\n`);
  return shown;
}

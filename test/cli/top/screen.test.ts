// The two ways `numapol top` shows frames, on pretend terminals: what is written, in which order,
// and that the terminal is always put back (raw mode off, cursor shown, normal screen).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { MemoryView } from '../../../src/ops/read/memory-view.js';
import { drawSequence, ENTER_SCREEN, keyAction, LEAVE_SCREEN, showBatch, showScreen, type TerminalIn, type TerminalOut } from '../../../src/cli/top/screen.js';
import type { ViewSource } from '../../../src/cli/top/source.js';

function view(n: number): MemoryView {
  return { time: `2026-12-05T10:00:0${n % 10}.000Z`, nodes: [], distances: [], processes: [] };
}

/** A source whose n-th look is view(n); `onLook` runs at each. */
function counting(onLook: (n: number) => void = () => {}): ViewSource & { looks: number } {
  const s = {
    kind: 'local' as const,
    label: 'local',
    looks: 0,
    look: () => {
      s.looks++;
      onLook(s.looks);
      return Promise.resolve(view(s.looks));
    },
  };
  return s;
}

class FakeOut extends EventEmitter implements TerminalOut {
  readonly writes: string[] = [];
  columns = 80;
  rows = 24;
  readonly isTTY = true;
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

class FakeIn extends EventEmitter implements TerminalIn {
  readonly isTTY = true;
  raw: boolean[] = [];
  paused = true;
  setRawMode(raw: boolean): this {
    this.raw.push(raw);
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
}

/** The frame: one line naming the view's time, so draws can be told apart. */
const frame = (v: MemoryView, size: { width: number; height: number }, hint: string | undefined): string[] => [`frame ${v.time}${hint ? ` (${hint})` : ''}`, `size ${size.width}x${size.height}`];

test('keys: q, Q, Ctrl-C and Ctrl-D quit; space redraws; others do nothing', () => {
  for (const k of ['q', 'Q', '\x03', '\x04']) assert.equal(keyAction(k), 'quit', JSON.stringify(k));
  assert.equal(keyAction(' '), 'refresh');
  for (const k of ['x', '\x1b[A', '\r']) assert.equal(keyAction(k), undefined, JSON.stringify(k));
});

test('a frame is drawn over the last: home, each line cleared to its end, the rest of the screen cleared', () => {
  assert.equal(drawSequence(['a', 'b']), '\x1b[Ha\x1b[K\r\nb\x1b[K\x1b[J');
});

test('full screen: alternate screen and hidden cursor, a frame per look, q restores everything', async () => {
  const out = new FakeOut();
  const input = new FakeIn();
  // The user presses q once the third frame is drawn.
  const source = counting((n) => {
    if (n === 2) setImmediate(() => input.emit('data', Buffer.from('q')));
  });
  const shown = await showScreen({ source, first: view(0), intervalMs: 1, frame, out, in: input });
  assert.equal(shown, 3);
  assert.equal(out.writes[0], ENTER_SCREEN);
  assert.equal(out.writes.at(-1), LEAVE_SCREEN, 'the terminal is put back last');
  const draws = out.writes.slice(1, -1);
  assert.deepEqual(draws, [0, 1, 2].map((n) => drawSequence(frame(view(n), { width: 80, height: 24 }, 'q quits'))));
  assert.deepEqual(input.raw, [true, false]);
  assert.equal(input.paused, true, 'stdin no longer keeps node alive');
  assert.equal(input.listenerCount('data'), 0);
  assert.equal(out.listenerCount('resize'), 0);
});

test('full screen: a resize redraws the last view at the new size at once', async () => {
  const out = new FakeOut();
  const input = new FakeIn();
  const source = counting((n) => {
    if (n === 1) {
      setImmediate(() => {
        out.columns = 50;
        out.rows = 10;
        out.emit('resize');
        input.emit('data', 'q');
      });
    }
  });
  await showScreen({ source, first: view(0), intervalMs: 1, frame, out, in: input });
  const draws = out.writes.slice(1, -1);
  assert.ok(draws.includes(drawSequence(frame(view(1), { width: 50, height: 10 }, 'q quits'))), draws.join('\n'));
});

test('full screen with --iterations: that many frames, then the last one stays on the normal screen', async () => {
  const out = new FakeOut();
  const input = new FakeIn();
  const source = counting();
  const shown = await showScreen({ source, first: view(0), intervalMs: 1, iterations: 2, frame, out, in: input });
  assert.equal(shown, 2);
  assert.equal(source.looks, 1, 'no look after the last frame');
  const leave = out.writes.indexOf(LEAVE_SCREEN);
  assert.ok(leave > 0);
  assert.deepEqual(out.writes.slice(leave + 1), [`${frame(view(1), { width: 80, height: Infinity }, undefined).join('\n')}\n`]);
});

test('full screen: an error while looking still restores the terminal, and is passed on', async () => {
  const out = new FakeOut();
  const input = new FakeIn();
  const source: ViewSource = { kind: 'local', label: 'local', look: () => Promise.reject(new Error('boom')) };
  await assert.rejects(showScreen({ source, first: view(0), intervalMs: 1, frame, out, in: input }), /boom/);
  assert.equal(out.writes.at(-1), LEAVE_SCREEN);
  assert.deepEqual(input.raw, [true, false]);
});

test('full screen without a terminal on stdin: no raw mode, Ctrl-C (SIGINT) quits', async () => {
  const out = new FakeOut();
  const input = Object.assign(new FakeIn(), { isTTY: false });
  const listeners = process.listenerCount('SIGINT');
  const source = counting((n) => {
    if (n === 1) setImmediate(() => process.emit('SIGINT', 'SIGINT'));
  });
  const shown = await showScreen({ source, first: view(0), intervalMs: 1, frame, out, in: input });
  assert.equal(shown, 2);
  assert.deepEqual(input.raw, []);
  assert.match(out.writes[1]!, /Ctrl-C quits/);
  assert.equal(out.writes.at(-1), LEAVE_SCREEN);
  assert.equal(process.listenerCount('SIGINT'), listeners, 'its handler is gone');
});

test('batch: whole frames one after another, a blank line after each', async () => {
  const out = new FakeOut();
  const shown = await showBatch({ source: counting(), first: view(0), intervalMs: 1, iterations: 3, frame, out }, { width: Infinity, height: Infinity });
  assert.equal(shown, 3);
  assert.deepEqual(
    out.writes,
    [0, 1, 2].map((n) => `${frame(view(n), { width: Infinity, height: Infinity }, undefined).join('\n')}\n\n`),
  );
});

test('batch: stops when the reader goes away (EPIPE)', async () => {
  const out = new FakeOut();
  const source = counting((n) => {
    if (n === 2) out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  });
  const shown = await showBatch({ source, first: view(0), intervalMs: 1, frame, out }, { width: 80, height: Infinity });
  assert.equal(shown, 2);
  assert.equal(out.writes.length, 2, 'nothing written after the pipe closed');
});

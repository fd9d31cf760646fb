// `numapol top` on a real terminal: tmux runs it in a 120x40 pane on a server of this test's own;
// the screen is read through at least one refresh, then 'q' (or Ctrl-C) must end it with the
// terminal put back (normal screen, cursor shown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAIN } from './helpers.js';
import { startMarker } from './top/marker.js';

const SERVER = `numapol-top-${process.pid}`;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string[] => tmux('capture-pane', '-p', '-t', 'top').split('\n');
const pane = (format: string): string => tmux('display-message', '-p', '-t', 'top', format).trim();

/** Polls until `ok` holds of what `read` returns; the deadline only turns a hang into a failure. */
async function until<T>(read: () => T, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}; last seen:\n${Array.isArray(v) ? v.join('\n') : String(v)}`);
    await sleep(100);
  }
}

const TITLE = /^numapol top - (\d\d:\d\d:\d\d) - local - every 1s - q quits$/;

for (const key of ['q', 'C-c']) {
  test(`top on a terminal: redraws in place, shows nodes and a large process, ${key} restores the terminal`, { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    const marker = await startMarker(200);
    try {
      // After top, the pane's shell says how it ended and stays: the terminal's state is read
      // while it lives (tmux hides the cursor of a dead pane).
      const cmd = `${process.execPath} ${MAIN} top --no-daemon --top 40; echo "top exited $?"; exec sleep 600`;
      tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', cmd);
      const first = await until(screen, (s) => TITLE.test(s[0] ?? ''), 'no title on the first line');
      const firstTime = TITLE.exec(first[0]!)![1];
      // The clock in the title moves: the frame was drawn again, over the first (still on line 1).
      const s = await until(screen, (x) => TITLE.test(x[0] ?? '') && TITLE.exec(x[0]!)![1] !== firstTime, 'no refresh');
      assert.equal(s.filter((l) => l.startsWith('numapol top - ')).length, 1, 'one frame on the screen');
      const nodeHeader = s.findIndex((l) => /^NODE\s+CPUS\s+CPU%\s+FREE\s+TOTAL\s+FREE%$/.test(l));
      assert.ok(nodeHeader > 0, s.join('\n'));
      assert.match(s[nodeHeader + 1]!, /^\s*\d+\s+\S+\s+(\d+%|-)\s+\d/);
      assert.match(s.find((l) => /^\s*PID\s/.test(l)) ?? '', /^\s*PID\s+COMM\s+TOTAL\s+REMOTE\s+LOCAL%\s+N\d/);
      const row = s.find((l) => l.trim().startsWith(`${marker.pid} `));
      assert.ok(row !== undefined, `pid ${marker.pid} (${marker.comm}) not on the screen:\n${s.join('\n')}`);
      assert.equal(row.trim().split(/\s+/)[1], marker.comm);
      assert.equal(pane('#{alternate_on} #{cursor_flag}'), '1 0', 'alternate screen, cursor hidden');

      tmux('send-keys', '-t', 'top', key);
      const after = await until(screen, (x) => x.some((l) => l.startsWith('top exited ')), `top did not exit on ${key}`);
      assert.ok(after.includes('top exited 0'), after.join('\n'));
      assert.equal(pane('#{alternate_on} #{cursor_flag}'), '0 1', 'normal screen, cursor shown');
      assert.ok(!after.some((l) => l.startsWith('numapol top - ')), 'the frame went with the alternate screen');
    } finally {
      marker.stop();
      spawnSync('tmux', ['-L', SERVER, 'kill-server']);
    }
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressBar, progressLine } from '../../src/cli/progress.js';

test('the progress line shows bytes, rate and ETA', () => {
  const line = progressLine({ bytesDone: 50 << 20, bytesTotal: 100 << 20, elapsedMs: 1000 }, 100);
  assert.match(line, /^\[#+\.+\] 50\.0 MiB\/100 MiB 50\.0 MiB\/s ETA 1s$/);
});

test('no bar when the sink is not a terminal, nor before a second has passed', () => {
  const written: string[] = [];
  const pipe = progressBar({ isTTY: false, write: (t) => written.push(t) });
  pipe.update({ bytesDone: 1, bytesTotal: 2, elapsedMs: 5000 });
  pipe.done();
  assert.equal(written.length, 0);
  const tty = progressBar({ isTTY: true, columns: 80, write: (t) => written.push(t) });
  tty.update({ bytesDone: 1, bytesTotal: 2, elapsedMs: 10 });
  assert.equal(written.length, 0);
  tty.update({ bytesDone: 1, bytesTotal: 2, elapsedMs: 1500 });
  tty.done();
  assert.equal(written.length, 2);
  assert.match(written[0]!, /^\r\[/);
  assert.equal(written[1], '\r\x1b[K');
});

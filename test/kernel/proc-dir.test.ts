import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ProcDir } from '../../src/kernel/proc-dir.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
const listed = (path: string): number[] => sorted(readdirSync(path).map(Number));
const tasksNow = (): number[] => listed(`/proc/${process.pid}/task`);

describe('ProcDir', () => {
  it('lists /proc/PID/task like readdir (as numbers), and sees a thread created after it was opened', async () => {
    const dir = new ProcDir(`/proc/${process.pid}/task`);
    try {
      const before = sorted(dir.numbers());
      assert.deepEqual(before, tasksNow());
      // A worker is a new thread: the same descriptor, listed again, must show it.
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((resolve) => worker.once('online', resolve));
      try {
        const again = sorted(dir.numbers());
        assert.deepEqual(again, tasksNow());
        assert.ok(again.some((t) => !before.includes(t)), `no new thread in ${again.join(' ')}`);
      } finally {
        await worker.terminate();
      }
    } finally {
      dir.close();
    }
  });

  it('reads a directory longer than one getdents64 buffer completely', () => {
    // 2,000 open descriptors make /proc/self/fd some 48 KiB of records: two calls at least.
    const fds: number[] = [];
    try {
      for (let i = 0; i < 2000; i++) fds.push(openSync('/dev/null', 'r'));
    } catch {
      for (const fd of fds.splice(0)) closeSync(fd);
    }
    const dir = new ProcDir(`/proc/${process.pid}/fd`);
    try {
      const names = sorted(dir.numbers());
      const expected = listed(`/proc/${process.pid}/fd`);
      // readdir's listing also shows the descriptor readdir opened for it.
      assert.deepEqual(names.filter((n) => !expected.includes(n)), []);
      assert.equal(expected.length - names.length, 1);
      assert.ok(names.length > 1500 || fds.length === 0, `${names.length} entries`);
      assert.ok(names.every((n) => Number.isSafeInteger(n) && n >= 0), 'only the numbers, not . and ..');
    } finally {
      dir.close();
      for (const fd of fds) closeSync(fd);
    }
  });

  it('lists everything while signals keep arriving (getdents64 returns early when one is pending)', async () => {
    const fds: number[] = [];
    for (let i = 0; i < 1000; i++) fds.push(openSync('/dev/null', 'r'));
    const noop = (): void => {};
    // A handled signal, not a default one: SIGUSR2's default action would end the test run.
    process.on('SIGUSR2', noop);
    // 3,000 signals: fewer than libuv's signal pipe holds while this test runs synchronously
    // (beyond that it would drop signals, SIGCHLD included).
    const flood = spawn('bash', ['-c', `for i in $(seq 3000); do kill -USR2 ${process.pid}; done`], { stdio: 'ignore' });
    const exited = new Promise((r) => flood.once('exit', r));
    const dir = new ProcDir(`/proc/${process.pid}/fd`);
    const state = (): string => {
      try {
        const stat = readFileSync(`/proc/${flood.pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return 'gone';
      }
    };
    try {
      const expected = dir.numbers().length;
      assert.ok(expected >= 1000, `${expected} entries`);
      const counts = new Set<number>();
      let listings = 0;
      const end = Date.now() + 10_000;
      // Listed again and again from before the first signal (bash takes milliseconds to start)
      // until the flood is over (its process a zombie, not reaped yet): every signal arrives
      // during the loop, most of them inside a getdents64.
      while (state() !== 'Z' && state() !== 'gone' && Date.now() < end) {
        counts.add(dir.numbers().length);
        listings++;
      }
      assert.ok(listings > 0, 'the flood ended before the first listing');
      assert.deepEqual([...counts], [expected]);
    } finally {
      dir.close();
      await exited;
      process.removeListener('SIGUSR2', noop);
      for (const fd of fds) closeSync(fd);
    }
  });

  it('keeps only the names that are decimal numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'numapol-procdir-'));
    try {
      for (const name of ['12', '3x', 'x3', 'abc', '4096', '1.5', '-1']) writeFileSync(join(dir, name), '');
      const d = new ProcDir(dir);
      try {
        assert.deepEqual(sorted(d.numbers()), [12, 4096]);
      } finally {
        d.close();
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('names the path and the errno when the directory does not exist, and refuses use after close', () => {
    assert.throws(() => new ProcDir('/proc/0/task'), (e: unknown) => e instanceof SyscallError && e.errnoName === 'ENOENT' && e.message.includes('/proc/0/task'));
    const dir = new ProcDir('/proc/self/task');
    dir.close();
    dir.close();
    assert.throws(() => dir.numbers(), /closed/);
  });
});

import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ProcDir } from '../../src/kernel/proc-dir.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const tasksNow = (): string[] => readdirSync(`/proc/${process.pid}/task`).sort();

describe('ProcDir', () => {
  it('lists /proc/PID/task like readdir, and sees a thread created after it was opened', async () => {
    const dir = new ProcDir(`/proc/${process.pid}/task`);
    try {
      const before = dir.names().sort();
      assert.deepEqual(before, tasksNow());
      // A worker is a new thread: the same descriptor, listed again, must show it.
      const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((resolve) => worker.once('online', resolve));
      try {
        const again = dir.names().sort();
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
      const names = dir.names().sort();
      const expected = readdirSync(`/proc/${process.pid}/fd`).sort();
      // readdir's listing also shows the descriptor readdir opened for it.
      assert.deepEqual(names.filter((n) => !expected.includes(n)), []);
      assert.equal(expected.length - names.length, 1);
      assert.ok(names.length > 1500 || fds.length === 0, `${names.length} entries`);
      assert.ok(!names.includes('.') && !names.includes('..'));
    } finally {
      dir.close();
      for (const fd of fds) closeSync(fd);
    }
  });

  it('names the path and the errno when the directory does not exist, and refuses use after close', () => {
    assert.throws(() => new ProcDir('/proc/0/task'), (e: unknown) => e instanceof SyscallError && e.errnoName === 'ENOENT' && e.message.includes('/proc/0/task'));
    const dir = new ProcDir('/proc/self/task');
    dir.close();
    dir.close();
    assert.throws(() => dir.names(), /closed/);
  });
});

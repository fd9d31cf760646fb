import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { getMempolicyNode } from '../../src/kernel/mempolicy.js';
import { MPOL_MF_MOVE } from '../../src/kernel/mempolicy-constants.js';
import { fillMemory, mmapAnonymous, munmap, pageSize } from '../../src/kernel/memory.js';
import { migratePages, movePages, movePagesCounted, queryPageNodes } from '../../src/kernel/migrate.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const ENOENT = 2;
const EFAULT = 14;
const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
const first = online[0] ?? 0;
const absent = Math.max(...online) + 5;
const ps = BigInt(pageSize());

/** A pid no process has right now. */
function unusedPid(): number {
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = max - 1; pid > 1; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

function pagesOf(addr: bigint, count: number): BigUint64Array {
  return BigUint64Array.from({ length: count }, (_, i) => addr + BigInt(i) * ps);
}

test('move_pages query: touched pages report their node, untouched ones a negative errno', () => {
  const len = 4n * ps;
  const addr = mmapAnonymous(len);
  try {
    fillMemory(addr, 2n * ps, 1);
    const node = getMempolicyNode(addr);
    const status = queryPageNodes(0, pagesOf(addr, 4));
    assert.deepEqual([...status.subarray(0, 2)], [node, node]);
    for (const s of status.subarray(2)) assert.ok(s === -ENOENT || s === -EFAULT, `untouched page status ${s}`);
    assert.deepEqual(movePages(0, pagesOf(addr, 4), null, 0), status, 'movePages with null nodes is the same query');
  } finally {
    munmap(addr, len);
  }
});

test('move_pages moves touched pages to an online node and counts none as failed', () => {
  const len = 3n * ps;
  const addr = mmapAnonymous(len);
  try {
    fillMemory(addr, len, 1);
    const r = movePagesCounted(0, pagesOf(addr, 3), Int32Array.from([first, first, first]), MPOL_MF_MOVE);
    assert.equal(r.notMoved, 0);
    assert.deepEqual([...r.status], [first, first, first]);
    assert.deepEqual([...queryPageNodes(0, pagesOf(addr, 3))], [first, first, first]);
  } finally {
    munmap(addr, len);
  }
});

test('move_pages into a given status buffer: a view of it, the rest untouched, earlier answers cleared', () => {
  const len = 3n * ps;
  const addr = mmapAnonymous(len);
  try {
    fillMemory(addr, 2n * ps, 1);
    const buf = new Int32Array(6).fill(77);
    const r = movePagesCounted(0, pagesOf(addr, 3), Int32Array.from([first, first, first]), MPOL_MF_MOVE, buf);
    assert.equal(r.status.length, 3);
    assert.equal(r.status.buffer, buf.buffer, 'no new array');
    assert.deepEqual([...r.status.subarray(0, 2)], [first, first]);
    assert.ok(r.status[2] === -ENOENT || r.status[2] === -EFAULT, `untouched page status ${r.status[2]}`);
    assert.deepEqual([...buf.subarray(3)], [77, 77, 77], 'past the pages: untouched');
    assert.throws(() => movePagesCounted(0, pagesOf(addr, 3), null, 0, new Int32Array(2)), RangeError);
  } finally {
    munmap(addr, len);
  }
});

test('move_pages to a node the machine lacks is ENODEV', () => {
  const addr = mmapAnonymous(ps);
  try {
    fillMemory(addr, ps, 1);
    assert.throws(
      () => movePages(0, pagesOf(addr, 1), Int32Array.from([absent]), MPOL_MF_MOVE),
      (e: unknown) => e instanceof SyscallError && e.syscall === 'move_pages' && e.errnoName === 'ENODEV' && /not online/.test(e.message),
    );
  } finally {
    munmap(addr, ps);
  }
});

test('move_pages refuses mismatched pages and nodes, and accepts an empty list', () => {
  assert.throws(() => movePages(0, new BigUint64Array(2), new Int32Array(1), 0), RangeError);
  assert.equal(movePages(0, new BigUint64Array(0), null, 0).length, 0);
});

test('move_pages on a vanished pid is ESRCH with the pid in the message', () => {
  const pid = unusedPid();
  assert.throws(
    () => queryPageNodes(pid, new BigUint64Array([0x400000n])),
    (e: unknown) => e instanceof SyscallError && e.errnoName === 'ESRCH' && e.message === `move_pages (pid ${pid}): ESRCH: the process is gone`,
  );
});

test('migrate_pages from a node to itself moves nothing and leaves nothing behind', () => {
  assert.equal(migratePages(0, [first], [first]), 0);
  assert.equal(migratePages(process.pid, online, online), 0);
});

test('migrate_pages works on a child process', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  try {
    assert.equal(migratePages(child.pid ?? 0, [first], [first]), 0);
  } finally {
    child.kill();
  }
});

test('migrate_pages on a vanished pid is ESRCH naming migrate_pages', () => {
  const pid = unusedPid();
  assert.throws(
    () => migratePages(pid, [first], [first]),
    (e: unknown) =>
      e instanceof SyscallError && e.syscall === 'migrate_pages' && e.errnoName === 'ESRCH' &&
      e.message === `migrate_pages (pid ${pid}): ESRCH: the process is gone`,
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import fc from 'fast-check';
import { ParseError, ProcessGoneError } from '../../src/errors.js';
import { isKernelThread, parseStat, readStat, PF_KTHREAD } from '../../src/procfs/stat.js';
import { readComm } from '../../src/procfs/processes.js';
import { readStatus } from '../../src/procfs/status.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('proc-host-facts');

test('readStat of a captured process whose comm has spaces and parentheses agrees with its status and comm', () => {
  const s = readStat(23697, { root });
  const status = readStatus(23697, { root });
  assert.equal(s.pid, 23697);
  assert.equal(s.comm, 'we) (ird x');
  assert.equal(s.comm, readComm(23697, { root }));
  assert.equal(s.state, status.state);
  assert.equal(s.ppid, status.ppid);
  assert.equal(s.numThreads, status.threads);
  assert.equal(isKernelThread(s), false);
  // Field numbers of proc(5): fields[i] is field i + 3.
  assert.equal(String(s.starttime), s.fields[22 - 3]);
  assert.equal(String(s.processor), s.fields[39 - 3]);
  assert.equal(String(s.utime), s.fields[14 - 3]);
  assert.equal(String(s.stime), s.fields[15 - 3]);
  assert.equal(s.fields.length, 52 - 2);
});

test('readStat of a kernel thread: PF_KTHREAD in flags', () => {
  const s = readStat(2, { root });
  assert.equal(s.comm, 'kthreadd');
  assert.ok(isKernelThread(s));
  assert.equal(s.flags & PF_KTHREAD, PF_KTHREAD);
  assert.equal(s.rss, 0);
  assert.equal(s.ppid, 0);
});

test('readStat of this process and of one of its threads', () => {
  const s = readStat(process.pid);
  assert.equal(s.pid, process.pid);
  assert.equal(s.ppid, process.ppid);
  assert.equal(s.comm, readComm(process.pid));
  assert.equal(s.state, 'R', 'a process reading its own stat is running');
  assert.equal(isKernelThread(s), false);
  assert.ok(s.processor >= 0 && s.processor < cpus().length, `processor ${s.processor}`);
  const uptimeTicks = Number.parseFloat(readFileSync('/proc/uptime', 'utf8')) * 100;
  assert.ok(s.starttime > 0 && s.starttime <= uptimeTicks + 1, `start ${s.starttime}, uptime ${uptimeTicks} ticks`);
  assert.ok(s.rss > 0 && s.vsize > s.rss);
  const tids = readdirSync(`/proc/${process.pid}/task`).map(Number);
  const other = tids.find((t) => t !== process.pid);
  assert.ok(other !== undefined, 'node has helper threads');
  const t = readStat(process.pid, { tid: other });
  assert.equal(t.pid, other);
  assert.equal(t.starttime >= s.starttime, true);
});

test('readStat of a pid that does not exist: ProcessGoneError', () => {
  assert.throws(() => readStat(1 << 30), ProcessGoneError);
});

test('parseStat refuses what is not a stat line', () => {
  assert.throws(() => parseStat(''), ParseError);
  assert.throws(() => parseStat('12 cat R 1 2 3'), ParseError);
  assert.throws(() => parseStat('12 (cat) R 1 2 3\n'), /fields, expected at least 24/);
  const ok = readFileSync(`${root}/proc/23697/stat`, 'utf8');
  assert.throws(() => parseStat(ok.replace(' 100055 ', ' x ')), /field 22 is not a number/);
  assert.throws(() => parseStat('x' + ok), /pid is not a number/);
});

/** Writes a stat line the way fs/proc/array.c does. */
function formatStat(pid: number, comm: string, fields: readonly (string | number)[]): string {
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

test('property: any comm (spaces, parentheses, newlines, any text but NUL) and fields round-trip', () => {
  const tricky = fc.constantFrom(')', '(', ' ', '\n', ') ', ' (', ') S 1 ', '((', '))', '\t', 'é', '🙂');
  const comm = fc
    .array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 16 })
    .map((parts) => parts.join('').replace(/\0/g, ''));
  const state = fc.constantFrom('R', 'S', 'D', 'T', 't', 'Z', 'X', 'I');
  const num = fc.nat({ max: 2 ** 40 });
  fc.assert(
    fc.property(fc.nat({ max: 4194304 }), comm, state, fc.array(num, { minLength: 49, maxLength: 49 }), (pid, c, st, nums) => {
      const s = parseStat(formatStat(pid, c, [st, ...nums]));
      assert.equal(s.pid, pid);
      assert.equal(s.comm, c);
      assert.equal(s.state, st);
      const field = (n: number): number => nums[n - 4]!;
      assert.equal(s.ppid, field(4));
      assert.equal(s.flags, field(9));
      assert.equal(s.utime, field(14));
      assert.equal(s.stime, field(15));
      assert.equal(s.numThreads, field(20));
      assert.equal(s.starttime, field(22));
      assert.equal(s.rss, field(24));
      assert.equal(s.processor, field(39));
      assert.deepEqual(s.fields, [st, ...nums.map(String)]);
    }),
    { numRuns: 500 },
  );
});

test('property: a line cut before field 39 still parses, processor -1', () => {
  fc.assert(
    fc.property(fc.integer({ min: 24, max: 38 }), (last) => {
      const nums = Array.from({ length: last - 3 }, (_, i) => i + 4);
      const s = parseStat(formatStat(7, 'a) b', ['S', ...nums]));
      assert.equal(s.rss, 24);
      assert.equal(s.processor, -1);
    }),
  );
});

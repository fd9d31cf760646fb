import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpuMaskBits, schedGetaffinity, schedSetaffinity } from '../../src/kernel/affinity.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const onlineCpus = parseRangeList(readFileSync('/sys/devices/system/cpu/online', 'utf8')) ?? [];

/** Cpus_allowed_list of this thread, as the kernel prints it. */
function statusCpus(): number[] | undefined {
  const line = readFileSync('/proc/thread-self/status', 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
  return parseRangeList(line?.split(':')[1] ?? '');
}

test('sched_getaffinity agrees with /proc/thread-self/status', () => {
  const cpus = schedGetaffinity(0);
  assert.ok(cpus.length > 0);
  assert.ok(cpus.every((c) => onlineCpus.includes(c) || c < cpuMaskBits()));
  assert.deepEqual(cpus, statusCpus());
});

test('sched_setaffinity narrows the calling thread, and can restore it', () => {
  const before = schedGetaffinity(0);
  const one = before[before.length - 1] ?? 0;
  schedSetaffinity(0, [one]);
  try {
    assert.deepEqual(schedGetaffinity(0), [one]);
    assert.deepEqual(statusCpus(), [one]);
  } finally {
    schedSetaffinity(0, before);
  }
  assert.deepEqual(schedGetaffinity(0), before);
});

test('sched_setaffinity with no usable CPU is EINVAL naming it', () => {
  assert.throws(
    () => schedSetaffinity(0, []),
    (e: unknown) => e instanceof SyscallError && e.syscall === 'sched_setaffinity' && e.errnoName === 'EINVAL',
  );
});

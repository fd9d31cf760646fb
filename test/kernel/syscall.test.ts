import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MPOL_F_ADDR } from '../../src/kernel/mempolicy-constants.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';
import { SYSCALL_NUMBERS, syscallNumber } from '../../src/kernel/syscall-numbers.js';
import { syscall, syscallAbout } from '../../src/kernel/syscall.js';

test('a syscall without arguments returns its value as bigint', () => {
  assert.equal(syscall('gettid'), BigInt(process.pid));
});

test('a failing syscall throws SyscallError naming it', () => {
  // A bigint address far above 2^53 is accepted and reaches the kernel, which has no mapping there.
  const mode = new Int32Array(1);
  assert.throws(
    () => syscall('get_mempolicy', mode, null, 0, 0xffff_ffff_ffff_f000n, MPOL_F_ADDR),
    (e: unknown) => e instanceof SyscallError && e.syscall === 'get_mempolicy' && e.errnoName === 'EFAULT',
  );
});

test('syscallAbout puts the context in the message', () => {
  assert.throws(
    () => syscallAbout('pid 1', 'get_mempolicy', null, null, 0, 1n, 0),
    (e: unknown) => e instanceof SyscallError && e.errnoName === 'EINVAL' && e.message.startsWith('get_mempolicy (pid 1): EINVAL'),
  );
});

test('numbers that are not safe integers are refused before the call', () => {
  assert.throws(() => syscall('gettid', 2 ** 60), RangeError);
  assert.throws(() => syscall('gettid', 0.5), RangeError);
});

test('x64 and arm64 tables name the same syscalls', () => {
  assert.deepEqual(Object.keys(SYSCALL_NUMBERS.arm64).sort(), Object.keys(SYSCALL_NUMBERS.x64).sort());
  assert.equal(syscallNumber('mbind', 'x64'), 237);
  assert.equal(syscallNumber('mbind', 'arm64'), 235);
  assert.throws(() => syscallNumber('mbind', 'mips'), /mips/);
});

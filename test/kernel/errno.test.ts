import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRNO_NAMES, defineErrnoMeanings, errnoMeaning, errnoName } from '../../src/kernel/errno.js';
import { ERRNO_MEANINGS } from '../../src/kernel/errno-meanings.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';
import { SYSCALL_NUMBERS } from '../../src/kernel/syscall-numbers.js';

const KNOWN = new Set(Object.values(ERRNO_NAMES));
const ERRNO = Object.fromEntries(Object.entries(ERRNO_NAMES).map(([n, name]) => [name, Number(n)]));

test('every per-syscall meaning is keyed by an errno name we can print', () => {
  for (const [syscall, meanings] of Object.entries(ERRNO_MEANINGS)) {
    for (const name of Object.keys(meanings)) assert.ok(KNOWN.has(name), `${syscall}: unknown errno ${name}`);
  }
});

test('every NUMA syscall has its own meanings', () => {
  for (const syscall of ['get_mempolicy', 'set_mempolicy', 'mbind', 'migrate_pages', 'move_pages', 'set_mempolicy_home_node']) {
    assert.ok(syscall in SYSCALL_NUMBERS.x64);
    assert.ok(ERRNO_MEANINGS[syscall] !== undefined, syscall);
  }
});

test('meanings are specific to the syscall', () => {
  assert.match(errnoMeaning('mbind', 22), /page-aligned/);
  assert.match(errnoMeaning('mbind', 5), /MPOL_MF_STRICT/);
  assert.match(errnoMeaning('mbind', 14), /not mapped/);
  assert.match(errnoMeaning('set_mempolicy_home_node', 95), /bind or preferred_many/);
  assert.match(errnoMeaning('migrate_pages', 1), /CAP_SYS_NICE/);
  assert.match(errnoMeaning('migrate_pages', 3), /gone/);
  assert.match(errnoMeaning('move_pages', 19), /not online/);
  assert.notEqual(errnoMeaning('mbind', 22), errnoMeaning('set_mempolicy', 22));
});

test('unknown syscalls and errnos fall back to generic text', () => {
  assert.equal(errnoMeaning('no_such_call', 22), 'invalid argument');
  assert.equal(errnoName(4242), 'errno 4242');
  assert.equal(errnoMeaning('mbind', 4242), 'unknown error');
});

test('defineErrnoMeanings adds to a syscall without dropping its other meanings', () => {
  defineErrnoMeanings('mbind', { EAGAIN: 'test meaning' });
  assert.equal(errnoMeaning('mbind', ERRNO.EAGAIN ?? 0), 'test meaning');
  assert.match(errnoMeaning('mbind', 22), /page-aligned/);
});

test('SyscallError names the syscall, the errno, its meaning and the context', () => {
  const e = new SyscallError('migrate_pages', 3, 'pid 4242');
  assert.equal(e.syscall, 'migrate_pages');
  assert.equal(e.errno, 3);
  assert.equal(e.errnoName, 'ESRCH');
  assert.equal(e.code, 'ESRCH');
  assert.equal(e.message, 'migrate_pages (pid 4242): ESRCH: the process is gone');
  assert.deepEqual(e.details, { syscall: 'migrate_pages', errno: 3, errnoName: 'ESRCH' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureOf } from '../../../src/daemon/actions/outcome.js';
import { NumapolError, ProcessGoneError } from '../../../src/errors.js';
import { zombieError } from '../../../src/inject/preflight.js';
import { SyscallError } from '../../../src/kernel/syscall-error.js';

test('a process gone, a zombie, or a syscall on a vanished pid is the outcome gone; anything else failed', () => {
  assert.equal(failureOf(new ProcessGoneError(42)).outcome, 'gone');
  assert.equal(failureOf(zombieError(42, 'x')).outcome, 'gone');
  assert.equal(failureOf(new SyscallError('ptrace', 3)).outcome, 'gone');
  const f = failureOf(new NumapolError('EPERM', 'pid 42 is traced by pid 7\nmore'));
  assert.deepEqual(f, { outcome: 'failed', code: 'EPERM', error: 'pid 42 is traced by pid 7' });
  assert.deepEqual(failureOf(new Error('boom')), { outcome: 'failed', code: 'EINTERNAL', error: 'boom' });
});

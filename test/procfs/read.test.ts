import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procError, procPath } from '../../src/procfs/read.js';
import { NumapolError, ProcessGoneError } from '../../src/errors.js';

const fsError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

test('procPath places thread files under task/TID', () => {
  assert.equal(procPath(5, 'numa_maps', { root: '/r' }), '/r/proc/5/numa_maps');
  assert.equal(procPath(5, 'numa_maps', { root: '/r', tid: 6 }), '/r/proc/5/task/6/numa_maps');
});

test('procError: EACCES tells the user what to do', () => {
  const e = procError(fsError('EACCES'), 42, 'numa_maps');
  assert.ok(e instanceof NumapolError);
  assert.equal(e.code, 'EACCES');
  assert.match(e.message, /pid 42/);
  assert.match(e.message, /root or as the same user/);
});

test('procError: ESRCH is ProcessGoneError', () => {
  const e = procError(fsError('ESRCH'), 42, 'numa_maps');
  assert.ok(e instanceof ProcessGoneError);
  assert.equal(e.message, 'pid 42 is gone');
});

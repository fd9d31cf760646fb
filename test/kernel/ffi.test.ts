import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { errno, koffi, libcFunc } from '../../src/kernel/ffi.js';

describe('ffi: koffi loaded once, from its binary where that is possible', () => {
  it('is the same koffi build as its entry point loads, and it works', () => {
    const viaEntry = createRequire(import.meta.url)('koffi') as { version: string };
    assert.equal(koffi().version, viaEntry.version);
    assert.equal(koffi(), koffi());
    const getppid = libcFunc<() => number>('int getppid()');
    assert.equal(getppid(), process.ppid);
  });

  it('reads the errno a failing call left', () => {
    const close = libcFunc<(fd: number) => number>('int close(int)');
    assert.equal(close(-1), -1);
    assert.equal(errno(), 9); // EBADF
  });
});

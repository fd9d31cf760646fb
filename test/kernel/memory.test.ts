import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fillMemory, mmapAnonymous, munmap, pageSize } from '../../src/kernel/memory.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

function mapsLine(addr: bigint): string | undefined {
  const hex = addr.toString(16);
  return readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.startsWith(`${hex}-`));
}

test('pageSize is a power of two of at least 4 KiB', () => {
  const ps = pageSize();
  assert.ok(ps >= 4096 && (ps & (ps - 1)) === 0);
});

test('mmapAnonymous maps a page-aligned read-write region that munmap removes', () => {
  const len = BigInt(2 * pageSize());
  const addr = mmapAnonymous(len);
  assert.equal(addr % BigInt(pageSize()), 0n);
  const line = mapsLine(addr);
  assert.ok(line !== undefined, 'mapping is in /proc/self/maps');
  assert.match(line, / rw-p /);
  fillMemory(addr, len, 0xab);
  munmap(addr, len);
  assert.equal(mapsLine(addr), undefined);
});

test('shared mappings are shared', () => {
  const len = BigInt(pageSize());
  const addr = mmapAnonymous(len, { shared: true });
  try {
    assert.match(mapsLine(addr) ?? '', / rw-s /);
  } finally {
    munmap(addr, len);
  }
});

test('munmap of an unaligned address is EINVAL naming munmap', () => {
  assert.throws(
    () => munmap(1n, 4096n),
    (e: unknown) => e instanceof SyscallError && e.syscall === 'munmap' && e.errnoName === 'EINVAL',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMapsLine, readMaps, streamMaps, type MapsEntry } from '../../src/procfs/maps.js';
import { fixture } from '../fixtures/fixture-path.js';

const pad = (s: string): string => s.padEnd(73, ' ');

test('parseMapsLine fields', () => {
  const e = parseMapsLine(pad('7fdede3fd000-7fdede423000 r--p 00026000 fe:00 339380') + '/usr/lib/x86_64-linux-gnu/libc.so.6');
  assert.deepEqual(e, {
    start: 0x7fdede3fd000n,
    end: 0x7fdede423000n,
    perms: 'r--p',
    offset: 0x26000n,
    dev: 'fe:00',
    inode: 339380,
    path: '/usr/lib/x86_64-linux-gnu/libc.so.6',
    kind: 'file',
    deleted: false,
  });
});

test('parseMapsLine classifies VMA names', () => {
  const kind = (name: string, perms = 'rw-p'): Partial<MapsEntry> => {
    const e = parseMapsLine(pad(`7f0000000000-7f0000001000 ${perms} 00000000 00:00 0`) + name)!;
    const out: Partial<MapsEntry> = { kind: e.kind, path: e.path, deleted: e.deleted };
    if (e.anonName !== undefined) out.anonName = e.anonName;
    if (e.stackTid !== undefined) out.stackTid = e.stackTid;
    return out;
  };
  assert.deepEqual(kind(''), { kind: 'anon', path: '', deleted: false });
  assert.deepEqual(kind('', 'rw-s'), { kind: 'shm', path: '', deleted: false });
  assert.equal(kind('[heap]').kind, 'heap');
  assert.equal(kind('[stack]').kind, 'stack');
  assert.deepEqual(kind('[stack:4242]'), { kind: 'stack', path: '[stack:4242]', deleted: false, stackTid: 4242 });
  assert.equal(kind('[vdso]').kind, 'vdso');
  assert.equal(kind('[vvar]').kind, 'vvar');
  assert.equal(kind('[vvar_vclock]').kind, 'vvar');
  assert.equal(kind('[vsyscall]').kind, 'vsyscall');
  assert.equal(kind('[uprobes]').kind, 'special');
  assert.deepEqual(kind('[anon:jit code]'), { kind: 'anon', path: '[anon:jit code]', deleted: false, anonName: 'jit code' });
  assert.equal(kind('[anon_shmem:buf]').kind, 'shm');
  assert.deepEqual(kind('/SYSV00000000 (deleted)', 'rw-s'), { kind: 'shm', path: '/SYSV00000000', deleted: true });
  assert.equal(kind('/dev/zero (deleted)', 'rw-s').kind, 'shm');
  assert.equal(kind('/anon_hugepage (deleted)').kind, 'huge');
  assert.equal(kind('/memfd:pool (deleted)', 'rw-s').kind, 'memfd');
  assert.deepEqual(kind('/tmp/with space.bin'), { kind: 'file', path: '/tmp/with space.bin', deleted: false });
});

test('ia64 maps of the seed: 64-bit offsets and a line ending at the inode', () => {
  const maps = readMaps(12024, { root: fixture('proc-ia64-2005') });
  assert.equal(maps.length, 17);
  assert.equal(maps[0]!.path, '');
  assert.equal(maps[3]!.offset, 0x2000000000040000n);
  assert.equal(maps[13]!.kind, 'heap');
  assert.equal(maps[15]!.kind, 'stack');
  assert.equal(maps[16]!.start, 0xa000000000000000n);
  assert.equal(maps[16]!.kind, 'vdso');
});

test('real capture: ranges are ordered and disjoint; the spaced file name is kept', async () => {
  const root = fixture('proc-host-python');
  const maps = readMaps(8022, { root });
  for (let i = 0; i < maps.length; i++) {
    assert.ok(maps[i]!.start < maps[i]!.end);
    if (i > 0) assert.ok(maps[i - 1]!.end <= maps[i]!.start);
  }
  assert.ok(maps.some((m) => m.path === '/tmp/a b=c.dat' && m.perms === 'rw-s' && m.kind === 'file'));
  const streamed: MapsEntry[] = [];
  for await (const m of streamMaps(8022, { root })) streamed.push(m);
  assert.deepEqual(streamed, maps);
});

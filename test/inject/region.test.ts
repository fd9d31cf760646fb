import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anonExecMappings } from '../../src/inject/region.js';
import { ScratchArena } from '../../src/inject/scratch.js';

test('the anonymous executable mappings of a maps text, the one named for numapol first', () => {
  const maps = [
    '55a35af88000-55a35af8b000 r-xp 00002000 fe:00 2147015                    /usr/bin/prog',
    '7fbd8ff5a000-7fbd8ff5b000 r-xp 00000000 00:00 0 ',
    '7fbd90000000-7fbd90001000 rwxp 00000000 00:00 0',
    '7fbd91000000-7fbd91004000 r-xp 00000000 00:00 0                          [anon:numapol]',
    '7fbd92000000-7fbd92001000 rw-p 00000000 00:00 0 ',
    '7ffd1234e000-7ffd12350000 r-xp 00000000 00:00 0                          [vdso]',
  ].join('\n');
  assert.deepEqual(anonExecMappings(maps), [
    { addr: 0x7fbd91000000n, writable: false },
    { addr: 0x7fbd8ff5a000n, writable: false },
    { addr: 0x7fbd90000000n, writable: true },
    { addr: 0x7ffd1234e000n, writable: false },
  ]);
  assert.deepEqual(anonExecMappings(''), []);
});

test('the scratch arena hands out aligned memory from the region, maps more when it runs out, and gives memory back to a mark', () => {
  const mapped: number[] = [];
  const arena = new ScratchArena(0, (size) => {
    mapped.push(size);
    return 0x100000n * BigInt(mapped.length);
  }, { addr: 0x7000n, size: 1000 });
  assert.equal(arena.alloc(10), 0x7000n);
  assert.equal(arena.alloc(100, 64), 0x7040n);
  const mark = arena.mark();
  assert.equal(arena.alloc(800), 0x70a4n + 12n, '16-byte aligned');
  assert.equal(arena.alloc(5000), 0x100000n, 'a mapping of its own');
  assert.deepEqual(mapped, [64 * 1024]);
  arena.reset(mark);
  assert.equal(arena.alloc(800), 0x70b0n, 'the same bytes again');
  assert.equal(arena.alloc(5000), 0x100000n, 'and the mapping, still there');
  assert.deepEqual(mapped, [64 * 1024]);
  assert.deepEqual(arena.takeMappings(), [{ addr: 0x100000n, size: 64 * 1024 }]);
  assert.deepEqual(arena.takeMappings(), []);
});

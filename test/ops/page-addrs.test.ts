import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageAddrs } from '../../src/ops/page-addrs.js';

test('addresses written from page numbers equal vpn * page size, across the 4 GiB and 2^53 marks', () => {
  for (const pageBytes of [4096, 16384, 65536]) {
    // Page numbers up to a 57-bit address space (5-level paging): addresses past 2^53.
    const maxVpn = 2 ** 57 / pageBytes - 1;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: maxVpn }), { minLength: 1, maxLength: 50 }), (vpns) => {
        const a = new PageAddrs(pageBytes, 1);
        a.reserve(vpns.length);
        vpns.forEach((v, i) => a.set(i, v));
        assert.deepEqual([...a.view(0, vpns.length)], vpns.map((v) => BigInt(v) * BigInt(pageBytes)));
      }),
    );
  }
  const a = new PageAddrs(4096);
  a.reserve(3);
  a.set(0, 2 ** 20 - 1);
  a.set(1, 2 ** 20);
  a.set(2, 0x7ffffffff);
  assert.deepEqual([...a.view(0, 3)], [0xfffff000n, 0x100000000n, 0x7ffffffff000n]);
});

test('runs advance by 32-bit adds with a carry: equal to setting each entry, across the 4 GiB marks', () => {
  for (const pageBytes of [4096, 65536]) {
    const maxVpn = 2 ** 57 / pageBytes - 1;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: maxVpn - 2 ** 22 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom(1, 2, 512, 262144),
        (vpn, count, stride) => {
          const a = new PageAddrs(pageBytes, count);
          a.setRun(0, vpn, count, stride);
          const got = [...a.view(0, count)];
          const want = Array.from({ length: count }, (_, k) => (BigInt(vpn) + BigInt(k * stride)) * BigInt(pageBytes));
          assert.deepEqual(got, want);
          for (let k = 0; k < count; k += 97) assert.equal(a.vpnAt(k), vpn + k * stride);
        },
      ),
      { numRuns: 60 },
    );
  }
  // Right below a 4 GiB boundary: the low half wraps, the high half carries.
  const a = new PageAddrs(4096, 4);
  a.setRun(0, 2 ** 20 - 2, 4, 1);
  assert.deepEqual([...a.view(0, 4)], [0xffffe000n, 0xfffff000n, 0x100000000n, 0x100001000n]);
});

test('copy moves one entry between columns', () => {
  const a = new PageAddrs(4096, 2);
  a.set(0, 0x7f0012345);
  const b = new PageAddrs(4096, 3);
  b.copy(2, a, 0);
  assert.equal(b.view(2, 3)[0], 0x7f0012345n * 4096n);
});

test('a view is a run of entries; growing keeps room for what is asked', () => {
  const a = new PageAddrs(4096);
  a.reserve(5);
  for (let i = 0; i < 5; i++) a.set(i, i + 1);
  assert.equal(a.view(0, 2).length, 2);
  assert.deepEqual([...a.view(0, 2)], [4096n, 8192n]);
  assert.deepEqual([...a.view(3, 5)], [4n * 4096n, 5n * 4096n], 'a view from the middle');
  a.reserve(1000);
  a.set(999, 7);
  assert.equal(a.view(0, 1000)[999], 7n * 4096n);
});

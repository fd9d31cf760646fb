import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVmas, readVmas, streamVmas, type Vma } from '../../src/procfs/vmas.js';
import { NumapolError, ProcessGoneError } from '../../src/errors.js';
import { mempolicy } from '../../src/policy/model.js';
import { fixture } from '../fixtures/fixture-path.js';

test('ia64 seed: join keeps every maps VMA; vdso has no numa_maps line', () => {
  const vmas = readVmas(12024, { root: fixture('proc-ia64-2005') });
  assert.equal(vmas.length, 17);
  const heap = vmas.find((v) => v.kind === 'heap')!;
  assert.equal(heap.policyText, 'interleave=2,3');
  assert.deepEqual(heap.pagesPerNode, { 1: 1 });
  const vdso = vmas.find((v) => v.kind === 'vdso')!;
  assert.equal(vdso.policyText, undefined);
  assert.equal(vdso.pages, 0);
  const libc = vmas.find((v) => v.start === 0x2000000000058000n)!;
  assert.equal(libc.path, '/lib/tls/libc.so.6.1');
  assert.equal(libc.pages, 59);
  assert.equal(libc.mapmax, 42);
  assert.equal(libc.pageSizeKiB, undefined);
});

test('guest capture: per-VMA policies and the thread view', () => {
  const root = fixture('proc-guest-policies');
  const vmas = readVmas(244, { root });
  const byPolicy = (p: string): Vma => vmas.find((v) => v.policyText === p)!;
  assert.deepEqual(byPolicy('prefer (many):0,2').pagesPerNode, { 2: 8 });
  assert.deepEqual(byPolicy('interleave:1-3').pagesPerNode, { 1: 4, 2: 4, 3: 4 });
  assert.deepEqual(byPolicy('prefer:3').pagesPerNode, { 3: 8 });
  assert.equal(byPolicy('interleave=relative:0-3').pages, 8);
  assert.equal(vmas.find((v) => v.kind === 'heap')!.policyText, 'bind:1-2');

  // The second thread set prefer:3 for itself: VMAs without their own policy show it there.
  const thread = readVmas(244, { root, tid: 247 });
  assert.equal(thread.length, vmas.length);
  assert.equal(thread.find((v) => v.kind === 'heap')!.policyText, 'prefer:3');
  for (let i = 0; i < vmas.length; i++) {
    const own = vmas[i]!.policyText !== 'bind:1-2';
    if (own) assert.equal(thread[i]!.policyText, vmas[i]!.policyText);
  }
});

test('host capture: maps path equals numa_maps file= after unescaping; vsyscall unmatched', () => {
  const root = fixture('proc-host-python');
  const text = readFileSync(join(root, 'proc/8022/numa_maps'), 'utf8');
  const vmas = readVmas(8022, { root });
  const joined = vmas.filter((v) => v.policyText !== undefined);
  assert.equal(joined.length, text.trim().split('\n').length);
  assert.equal(vmas.find((v) => v.kind === 'vsyscall')!.policyText, undefined);
  const dat = vmas.find((v) => v.path === '/tmp/a b=c.dat')!;
  assert.deepEqual(dat.pagesPerNode, { 0: 10 });
  assert.equal(dat.dirty, 10);
  assert.equal(dat.mapped, 10);
  for (const v of joined) {
    assert.equal(v.policyText, 'interleave:0');
    assert.ok(v.anon <= v.pages && v.dirty <= v.pages && v.active <= v.pages);
  }
});

test('smaps join: sizes agree with the ranges', () => {
  const vmas = readVmas(8022, { root: fixture('proc-host-python'), smaps: true });
  for (const v of vmas) {
    assert.ok(v.smaps !== undefined);
    assert.equal(v.smaps.start, v.start);
    assert.equal(BigInt(v.smaps.sizeKiB) * 1024n, v.end - v.start);
    if (!v.hugetlb && v.pageSizeKiB !== undefined) assert.ok(v.smaps.rssKiB >= v.pages * v.pageSizeKiB);
  }
});

test('policyOf is applied once per distinct text', () => {
  const seen: string[] = [];
  const vmas = readVmas(244, {
    root: fixture('proc-guest-policies'),
    policyOf: (t) => {
      seen.push(t);
      return t === 'bind:1-2' ? mempolicy('bind', [1, 2]) : undefined;
    },
  });
  assert.equal(new Set(seen).size, seen.length);
  const heap = vmas.find((v) => v.kind === 'heap')!;
  assert.deepEqual(heap.policy?.nodes, [1, 2]);
  assert.equal(vmas.find((v) => v.policyText === 'local')!.policy, undefined);
});

test('streamVmas yields what readVmas returns', async () => {
  for (const [name, pid] of [
    ['proc-guest-policies', 244],
    ['proc-ia64-2005', 12024],
    ['proc-host-python', 8022],
  ] as const) {
    const root = fixture(name);
    const out: Vma[] = [];
    for await (const v of streamVmas(pid, { root })) out.push(v);
    assert.deepEqual(out, readVmas(pid, { root }));
  }
});

test('parseVmas joins texts read elsewhere, even out of order', () => {
  const maps = '00400000-00401000 r-xp 00000000 08:01 5 /bin/x\n7f0000000000-7f0000002000 rw-p 00000000 00:00 0\n';
  const numa = '7f0000000000 bind:1 anon=2 dirty=2 N1=2 kernelpagesize_kB=4\n00400000 default file=/bin/x mapped=1 N0=1 kernelpagesize_kB=4\n';
  const vmas = parseVmas(maps, numa);
  assert.equal(vmas[0]!.policyText, 'default');
  assert.equal(vmas[1]!.policyText, 'bind:1');
  assert.equal(vmas[1]!.mapped, 2);
  assert.equal(vmas[1]!.active, 2);
});

test('this process, live: the heap or stack is there and everything joins', () => {
  const vmas = readVmas(process.pid, { smaps: true });
  assert.ok(vmas.some((v) => v.kind === 'stack'));
  const joined = vmas.filter((v) => v.policyText !== undefined).length;
  // VMAs can appear between the two reads (our own allocations), but nearly all must join.
  assert.ok(joined >= vmas.length - 5, `${joined} of ${vmas.length} joined`);
});

test('a process that exited is ProcessGoneError; a kernel without numa_maps is ENOENT', () => {
  const r = spawnSync('true');
  assert.equal(r.status, 0);
  assert.throws(() => readVmas(r.pid!), ProcessGoneError);
  const root = mkdtempSync(join(tmpdir(), 'numapol-nonuma-'));
  mkdirSync(join(root, 'proc/77'), { recursive: true });
  writeFileSync(join(root, 'proc/77/maps'), '00400000-00401000 r-xp 00000000 08:01 5 /bin/x\n');
  assert.throws(
    () => readVmas(77, { root }),
    (e: unknown) => e instanceof NumapolError && e.code === 'ENOENT' && /numa_maps/.test(e.message),
  );
  assert.throws(() => readVmas(77, { root, tid: 78 }), (e: unknown) => e instanceof ProcessGoneError && /thread 78 of pid 77/.test(e.message));
});

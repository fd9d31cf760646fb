import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessGoneError } from '../../src/errors.js';
import { listVmas } from '../../src/ops/maps.js';
import { fixture } from '../fixtures/fixture-path.js';
import { readFixture } from './helpers.js';

const TREE = 'proc-guest-policies';
const PID = 244;
const root = fixture(TREE);

/** The maps fixture read naively: start (hex, no leading zeros), perms, name. */
const MAPS = readFixture(TREE, `proc/${PID}/maps`)
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const f = l.split(/\s+/);
    return { start: BigInt(`0x${f[0]!.split('-')[0]}`), perms: f[1]!, name: f.slice(5).join(' ') };
  });

/** numa_maps fixture: start → { policy text, resident pages }. */
function numaMapsOf(file: string): Map<bigint, { policy: string; pages: number }> {
  const out = new Map<bigint, { policy: string; pages: number }>();
  for (const line of readFixture(TREE, file).split('\n')) {
    if (line.trim() === '') continue;
    const words = line.split(' ');
    // The policy is one word, except "prefer (many):N" (the only policy text with a blank).
    const policy = words[2]?.startsWith('(many)') ? `${words[1]} ${words[2]}` : words[1]!;
    const pages = words.filter((w) => /^N\d+=/.test(w)).reduce((a, w) => a + Number(w.split('=')[1]), 0);
    out.set(BigInt(`0x${words[0]}`), { policy, pages });
  }
  return out;
}
const NUMA = numaMapsOf(`proc/${PID}/numa_maps`);

const isAnonName = (n: string): boolean => n === '' || n === '[heap]' || n === '[stack]' || n.startsWith('/anon_hugepage');

test('maps: one row per maps line, in order, with the policy and pages numa_maps gives', () => {
  const r = listVmas(PID, { root });
  assert.equal(r.pid, PID);
  assert.equal(r.tid, undefined);
  assert.deepEqual(
    r.vmas.map((v) => v.start),
    MAPS.map((m) => m.start),
  );
  for (const v of r.vmas) {
    const n = NUMA.get(v.start);
    assert.ok(n, `numa_maps line for ${v.start.toString(16)}`);
    assert.equal(v.policyText, n.policy, `policy of ${v.start.toString(16)}`);
    assert.equal(v.pages, n.pages, `pages of ${v.start.toString(16)}`);
    if (v.policyText === 'bind:1-2') assert.deepEqual(v.policy, { mode: 'bind', nodes: [1, 2], flags: {} });
  }
});

test('maps: the mbind() VMAs keep their own policies', () => {
  const texts = new Set(listVmas(PID, { root }).vmas.map((v) => v.policyText));
  for (const p of ['interleave:1-3', 'prefer:3', 'bind=static:0-1', 'prefer (many):0,2', 'local', 'interleave=relative:0-3', 'bind:1']) {
    assert.ok(texts.has(p), p);
  }
});

test('maps --anon: exactly the anonymous VMAs (anon, heap, stack, anon hugetlb)', () => {
  const r = listVmas(PID, { root, anon: true });
  assert.deepEqual(
    r.vmas.map((v) => v.start),
    MAPS.filter((m) => isAnonName(m.name)).map((m) => m.start),
  );
  for (const v of r.vmas) assert.ok(['anon', 'heap', 'stack', 'huge', 'shm'].includes(v.kind), v.kind);
});

test('maps --file: exactly the file mappings', () => {
  const r = listVmas(PID, { root, file: true });
  assert.deepEqual(
    r.vmas.map((v) => v.start),
    MAPS.filter((m) => m.name.startsWith('/') && !isAnonName(m.name)).map((m) => m.start),
  );
});

test("maps --name '[heap]' and '[stack]': one VMA each", () => {
  for (const name of ['[heap]', '[stack]']) {
    const r = listVmas(PID, { root, name });
    assert.deepEqual(
      r.vmas.map((v) => [v.start, v.path]),
      MAPS.filter((m) => m.name === name).map((m) => [m.start, name]),
    );
    assert.equal(r.vmas.length, 1);
  }
});

test('maps --name: a basename matches the full path; a glob matches anywhere', () => {
  const libc = listVmas(PID, { root, name: 'libc.so.6' });
  const expected = MAPS.filter((m) => m.name.endsWith('/libc.so.6')).map((m) => m.start);
  assert.ok(expected.length > 0);
  assert.deepEqual(
    libc.vmas.map((v) => v.start),
    expected,
  );
  assert.deepEqual(
    listVmas(PID, { root, name: '/usr/lib/x86_64-linux-gnu/libc.so.6' }).vmas.map((v) => v.start),
    expected,
  );
  const glob = listVmas(PID, { root, name: '*lib*.so*' });
  assert.deepEqual(
    glob.vmas.map((v) => v.start),
    MAPS.filter((m) => /lib.*\.so/.test(m.name)).map((m) => m.start),
  );
  assert.equal(listVmas(PID, { root, name: 'libc' }).vmas.length, 0, 'no glob: no substring match');
});

test('maps --min-pages: only VMAs with at least N resident pages', () => {
  for (const n of [1, 100, 400]) {
    const r = listVmas(PID, { root, minPages: n });
    const expected = MAPS.filter((m) => (NUMA.get(m.start)?.pages ?? 0) >= n).map((m) => m.start);
    assert.deepEqual(
      r.vmas.map((v) => v.start),
      expected,
      `--min-pages ${n}`,
    );
  }
});

test('maps --text / --data: executable mappings / writable non-executable ones', () => {
  assert.deepEqual(
    listVmas(PID, { root, text: true }).vmas.map((v) => v.start),
    MAPS.filter((m) => m.perms[2] === 'x').map((m) => m.start),
  );
  assert.deepEqual(
    listVmas(PID, { root, data: true }).vmas.map((v) => v.start),
    MAPS.filter((m) => m.perms[1] === 'w' && m.perms[2] !== 'x').map((m) => m.start),
  );
});

test('maps: filters combine (anon with at least 100 pages)', () => {
  const r = listVmas(PID, { root, anon: true, minPages: 100 });
  assert.deepEqual(
    r.vmas.map((v) => v.start),
    MAPS.filter((m) => isAnonName(m.name) && (NUMA.get(m.start)?.pages ?? 0) >= 100).map((m) => m.start),
  );
  assert.ok(r.vmas.length > 0);
});

test("maps --tid: the thread's view shows its own policy where the VMA has none", () => {
  const r = listVmas(PID, { root, tid: 247 });
  assert.equal(r.tid, 247);
  const own = numaMapsOf(`proc/${PID}/task/247/numa_maps`);
  for (const v of r.vmas) assert.equal(v.policyText, own.get(v.start)?.policy);
  const heap = r.vmas.find((v) => v.kind === 'heap');
  assert.equal(heap?.policyText, 'prefer:3');
  assert.equal(r.vmas.find((v) => v.start === 0x7fdd935d2000n)?.policyText, 'interleave:1-3');
});

test('maps of a pid that is not there: ProcessGoneError', () => {
  assert.throws(() => listVmas(4242, { root }), ProcessGoneError);
});

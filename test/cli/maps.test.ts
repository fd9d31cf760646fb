import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gonePid, lines, numapol } from './helpers.js';

interface JsonVma {
  start: string;
  end: string;
  perms: string;
  path: string;
  kind: string;
  policyText: string;
  pagesPerNode: Record<string, number>;
  pages: number;
}

const ME = process.pid;
const ANON_KINDS = ['anon', 'heap', 'stack', 'shm', 'huge'];

/** This process's maps: start address (hex without 0x and leading zeros) → name. */
function myMaps(): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of readFileSync(`/proc/${ME}/maps`, 'utf8').split('\n')) {
    if (!l) continue;
    const f = l.split(/\s+/);
    out.set(BigInt(`0x${f[0]!.split('-')[0]}`).toString(16), f.slice(5).join(' '));
  }
  return out;
}

function mapsJson(args: string[]): { pid: number; tid?: number; vmas: JsonVma[] } {
  const r = numapol(['maps', String(ME), '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { pid: number; vmas: JsonVma[] };
}

test('maps --json: documented fields; addresses as 0x hex strings; rows match /proc/PID/maps', () => {
  const data = mapsJson([]);
  assert.equal(data.pid, ME);
  assert.ok(data.vmas.length > 10);
  const maps = myMaps();
  let seen = 0;
  for (const v of data.vmas) {
    for (const k of ['start', 'end', 'perms', 'offset', 'dev', 'inode', 'path', 'kind', 'deleted', 'hugetlb', 'pagesPerNode', 'pages', 'anon', 'dirty', 'mapped', 'mapmax', 'swapcache', 'active', 'writeback']) {
      assert.ok(k in v, `${k} in a VMA`);
    }
    assert.match(v.start, /^0x[0-9a-f]+$/);
    assert.match(v.end, /^0x[0-9a-f]+$/);
    assert.ok(BigInt(v.end) > BigInt(v.start));
    assert.equal(
      v.pages,
      Object.values(v.pagesPerNode).reduce((a, b) => a + b, 0),
    );
    // The heap and V8's areas change between our read and the CLI's; library mappings do not.
    const name = maps.get(BigInt(v.start).toString(16));
    if (name !== undefined && name.startsWith('/')) {
      assert.equal(v.path, name.replace(/ \(deleted\)$/, ''));
      seen++;
    }
  }
  assert.ok(seen > 5, 'file mappings found in both');
});

test('maps --anon: only anonymous rows; --file: only file rows; together they are disjoint', () => {
  const anon = mapsJson(['--anon']).vmas;
  const file = mapsJson(['--file']).vmas;
  assert.ok(anon.length > 0 && file.length > 0);
  for (const v of anon) assert.ok(ANON_KINDS.includes(v.kind), `${v.kind} ${v.path}`);
  for (const v of file) assert.ok(v.kind === 'file' || v.kind === 'memfd', `${v.kind} ${v.path}`);
  assert.ok(file.every((v) => v.path.startsWith('/')));
  // Human output: the mapping column of every row is an anonymous kind.
  const r = numapol(['maps', String(ME), '--anon']);
  assert.equal(r.status, 0);
  const rows = lines(r.stdout).slice(1, -1);
  assert.ok(rows.length > 0);
  for (const row of rows) assert.match(row, /(\[(anon|heap|stack|shm|huge)\]|\/anon_hugepage)$/, row);
  assert.match(lines(r.stdout).at(-1)!, new RegExp(`^${rows.length} VMAs?; pages on nodes `));
});

test("maps --name '[heap]' gives the heap; a basename gives that library", () => {
  const heap = mapsJson(['--name', '[heap]']).vmas;
  assert.deepEqual(
    heap.map((v) => [v.path, v.kind]),
    [['[heap]', 'heap']],
  );
  const libc = [...myMaps().values()].find((n) => /\/libc\.so\.6$/.test(n));
  assert.ok(libc, 'node links libc.so.6');
  const rows = mapsJson(['--name', 'libc.so.6']).vmas;
  assert.ok(rows.length >= 2);
  for (const v of rows) assert.equal(v.path, libc);
  const glob = mapsJson(['--name', '*libc.so*']).vmas;
  assert.deepEqual(
    glob.map((v) => v.start),
    rows.map((v) => v.start),
  );
});

test('maps --min-pages N: every row has at least N pages', () => {
  const all = mapsJson([]).vmas;
  const n = 50;
  const big = mapsJson(['--min-pages', String(n)]).vmas;
  assert.ok(big.length > 0 && big.length < all.length);
  for (const v of big) assert.ok(v.pages >= n);
});

test('maps --tid: the JSON says which thread; the table is aligned', () => {
  const data = mapsJson(['--tid', String(ME)]);
  assert.equal(data.tid, ME);
  const r = numapol(['maps', String(ME)]);
  const [header, ...rest] = lines(r.stdout);
  assert.match(header!, /^range\s+perm\s+size\s+mempolicy\s+N0\s+pgsz\s+mapping$/);
  // Aligned: the perm column starts at the same offset on every row.
  const at = header!.indexOf('perm');
  for (const row of rest.slice(0, -1)) assert.match(row.slice(at, at + 4), /^[r-][w-][x-][ps]$/, row);
});

test('maps of a gone pid: exit 1; bad --tid: exit 2', () => {
  const pid = gonePid();
  const r = numapol(['maps', String(pid)]);
  assert.equal(r.status, 1);
  assert.deepEqual(lines(r.stderr), [`numapol: pid ${pid} is gone`]);
  assert.equal(numapol(['maps', String(ME), '--tid', 'x']).status, 2);
});

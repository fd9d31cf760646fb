/**
 * `numapol hardware` and `numapol stat` against numactl -H and numastat on the same machine and
 * processes (run in the 4-node guest; skips where numactl/numastat are missing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { buildTarget } from '../targets/build.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const MAIN = NUMAPOL_BIN;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const numapolJson = <T>(args: string[]): T => JSON.parse(sh(process.execPath, [MAIN, ...args, '--json'])) as T;
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

interface Hw {
  online: number[];
  nodes: { node: number; cpus: number[]; memTotalBytes: number; memFreeBytes: number }[];
  distances: number[][];
}

test('hardware --json agrees with numactl -H: nodes, cpus, sizes, free, distances', { skip: !have('numactl') && 'no numactl' }, () => {
  const before = sh('numactl', ['-H']);
  const hw = numapolJson<Hw>(['hardware']);
  const after = sh('numactl', ['-H']);
  const avail = /^available: (\d+) nodes \(([^)]*)\)$/m.exec(before);
  assert.ok(avail, before);
  assert.equal(hw.online.length, Number(avail[1]));
  assert.deepEqual(hw.online, expand(avail[2]!));
  const field = (text: string, n: number, what: string): string => new RegExp(`^node ${n} ${what}: ?(.*)$`, 'm').exec(text)![1]!;
  const MB = 1 << 20;
  for (const n of hw.nodes) {
    assert.deepEqual(n.cpus, expand(field(before, n.node, 'cpus')), `cpus of ${n.node}`);
    assert.equal(Math.floor(n.memTotalBytes / MB), Number(field(before, n.node, 'size').replace(' MB', '')), `size of ${n.node}`);
    // Free memory moves between the reads: it must lie within what numactl saw around ours (+-8 MB).
    const f1 = Number(field(before, n.node, 'free').replace(' MB', ''));
    const f2 = Number(field(after, n.node, 'free').replace(' MB', ''));
    const ours = Math.floor(n.memFreeBytes / MB);
    assert.ok(ours >= Math.min(f1, f2) - 8 && ours <= Math.max(f1, f2) + 8, `free of ${n.node}: ${ours} vs ${f1}..${f2}`);
  }
  const rows = before
    .slice(before.indexOf('node distances:'))
    .split('\n')
    .filter((l) => /^\s*\d+:/.test(l))
    .map((l) => l.split(':')[1]!.trim().split(/\s+/).map(Number));
  assert.deepEqual(hw.distances, rows);
});

interface Stat {
  nodes: number[];
  counters?: { name: string; perNode: number[]; total: number }[];
  processes?: { pid: number; byCategory: Record<string, number[]>; perNode: number[]; totalBytes: number }[];
}

/** numastat's default table: counter → per-node values, in its node column order. */
function parseNumastat(text: string): { nodes: number[]; rows: Map<string, number[]> } {
  const ls = text.split('\n').filter((l) => l.trim() !== '');
  const nodes = ls[0]!.trim().split(/\s+/).map((h) => Number(h.replace('node', '')));
  const rows = new Map<string, number[]>();
  for (const l of ls.slice(1)) {
    const [name, ...vals] = l.trim().split(/\s+/);
    rows.set(name!, vals.map(Number));
  }
  return { nodes, rows };
}

test('stat counters (pages) lie between two numastat reads taken around them', { skip: !have('numastat') && 'no numastat' }, () => {
  const before = parseNumastat(sh('numastat', []));
  const ours = numapolJson<Stat>(['stat', '-n', '-p', String(process.pid)]);
  // -p leaves counters out, as numastat -p does; ask for them alone.
  assert.equal(ours.counters, undefined);
  const withCounters = numapolJson<Stat>(['stat']);
  const after = parseNumastat(sh('numastat', []));
  assert.deepEqual(withCounters.nodes, before.nodes);
  for (const [name, b] of before.rows) {
    const row = withCounters.counters?.find((c) => c.name === name);
    assert.ok(row, name);
    const a = after.rows.get(name)!;
    row.perNode.forEach((v, i) => assert.ok(v >= b[i]! && v <= a[i]!, `${name} node ${withCounters.nodes[i]}: ${b[i]} <= ${v} <= ${a[i]}`));
  }
});

test('stat -p PID matches numastat -p PID to 0.01 MB for a quiet process bound to node 1', { skip: !have('numastat') && 'no numastat' }, async (t) => {
  const bin = buildTarget('alloc-report');
  const child = spawn('numactl', ['--membind=1', '--', bin, '24', '600'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const pid = (JSON.parse(line.toString()) as { pid: number }).pid;
  assert.equal(pid, child.pid);

  const text = sh('numastat', ['-p', String(pid)]);
  const ours = numapolJson<Stat>(['stat', '-p', String(pid)]);
  const header = text.split('\n').find((l) => /Node \d/.test(l))!;
  const cols = [...header.matchAll(/Node (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(cols, ours.nodes);
  const p = ours.processes![0]!;
  const mb = (b: number): number => b / 1048576;
  const expectRow: Record<string, number[]> = {
    Huge: p.byCategory['huge']!.map(mb),
    Heap: p.byCategory['heap']!.map(mb),
    Stack: p.byCategory['stack']!.map(mb),
    Private: p.byCategory['private']!.map(mb),
    Total: p.perNode.map(mb),
  };
  for (const [name, want] of Object.entries(expectRow)) {
    const l = text.split('\n').find((x) => x.startsWith(name))!;
    const vals = l.trim().split(/\s+/).slice(1).map(Number);
    want.forEach((w, i) => assert.ok(Math.abs(w - vals[i]!) <= 0.01 + 1e-9, `${name} node ${cols[i]}: ours ${w.toFixed(2)}, numastat ${vals[i]}`));
    assert.ok(Math.abs(want.reduce((a, b) => a + b, 0) - vals.at(-1)!) <= 0.01 + 1e-9, `${name} total`);
  }
  // The 24 MiB bound to node 1 are there.
  assert.ok(p.perNode[ours.nodes.indexOf(1)]! >= 24 * 1048576);
});

// `numapol top`'s frame as a function of data: what it shows, in which order, and how it fits
// widths and heights (as top does: per-node columns go first, then names get shorter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MemoryView, NodeView, ProcessMemoryView } from '../../../src/ops/read/memory-view.js';
import { fit, renderFrame, topOrder, type FrameInput } from '../../../src/cli/top/frame.js';

const MiB = 1048576;

function node(id: number, over: Partial<NodeView> = {}): NodeView {
  return { node: id, cpus: [id * 2, id * 2 + 1], memTotalBytes: 4096 * MiB, memFreeBytes: 1024 * MiB, memUsedBytes: 3072 * MiB, fileBytes: 0, anonBytes: 0, hugepages: [], cpuBusy: 0.25, ...over };
}

/** A process with `perNode` MiB on each node and threads on `threadNodes`. */
function proc(pid: number, comm: string, perNode: Readonly<Record<number, number>>, threadNodes: readonly number[], rule: string | null = null): ProcessMemoryView {
  const bytesPerNode: Record<number, number> = {};
  let total = 0;
  let local = 0;
  for (const [n, mib] of Object.entries(perNode)) {
    bytesPerNode[Number(n)] = mib * MiB;
    total += mib * MiB;
    if (threadNodes.includes(Number(n))) local += mib * MiB;
  }
  const threadsPerNode: Record<number, number> = {};
  for (const n of threadNodes) threadsPerNode[n] = (threadsPerNode[n] ?? 0) + 1;
  return { pid, comm, bytesPerNode, totalBytes: total, threadsPerNode, localBytes: local, remoteBytes: total - local, localRatio: total === 0 ? 1 : local / total, rule, managed: rule !== null };
}

const VIEW: MemoryView = {
  time: '2026-12-05T10:11:12.000Z',
  nodes: [node(0), node(1), node(2), node(3, { cpus: [], cpuBusy: 0 })],
  distances: [],
  processes: [
    proc(4242, 'memcached', { 0: 600, 1: 600 }, [0], 'cache'),
    proc(17, 'postgres', { 0: 2000 }, [0]),
    proc(99, 'a-very-long-command-name', { 2: 10, 3: 300 }, [2]),
    proc(5, 'idle', {}, []),
  ],
};

const INPUT: FrameInput = { view: VIEW, source: 'daemon on /run/numapol/numapol.sock', rules: true, intervalSeconds: 1 };
const WIDE = { width: Infinity, height: Infinity };

/** The process rows: the lines after the header that starts with PID. */
function rows(lines: readonly string[]): string[] {
  const at = lines.findIndex((l) => /^\s*PID\s/.test(l));
  assert.ok(at >= 0, `no process header in:\n${lines.join('\n')}`);
  return lines.slice(at + 1);
}

function header(lines: readonly string[]): string {
  return lines.find((l) => /^\s*PID\s/.test(l))!;
}

test('title, summary, a line per node, and processes sorted by remote memory then total', () => {
  const lines = renderFrame(INPUT, WIDE);
  assert.match(lines[0]!, /^numapol top - \d\d:\d\d:\d\d - daemon on \/run\/numapol\/numapol\.sock - every 1s$/);
  assert.match(lines[1]!, /^4 processes, 1 managed; memory 3\.4 GiB, remote 900 MiB \(26%\)$/);
  const nodeHeader = lines.findIndex((l) => /^NODE\s+CPUS\s+CPU%\s+FREE\s+TOTAL\s+FREE%$/.test(l));
  assert.ok(nodeHeader > 0);
  assert.match(lines[nodeHeader + 1]!, /^\s*0\s+0-1\s+25%\s+1\.0 GiB\s+4\.0 GiB\s+25%$/);
  // A memory-only node has no CPU figure.
  assert.match(lines[nodeHeader + 4]!, /^\s*3\s+-\s+-\s+1\.0 GiB/);
  assert.match(header(lines), /^\s*PID\s+COMM\s+RULE\s+TOTAL\s+REMOTE\s+LOCAL%\s+N0\s+N1\s+N2\s+N3$/);
  const pids = rows(lines).map((l) => Number(l.trim().split(/\s+/)[0]));
  assert.deepEqual(pids, [4242, 99, 17, 5], 'remote 600 MiB, 300 MiB, then none: 2000 MiB before 0');
  assert.deepEqual(pids, topOrder(VIEW.processes).map((p) => p.pid));
  const memcached = rows(lines)[0]!.trim().split(/\s{2,}/);
  assert.deepEqual(memcached, ['4242', 'memcached', 'cache', '1.2 GiB', '600 MiB', '50%', '600 MiB', '600 MiB', '-', '-']);
  // An unmanaged process's rule is '-'; a long comm is cut to the kernel's 15 characters with a '+'.
  const long = rows(lines)[1]!;
  assert.match(long, /^\s*99\s+a-very-long-co\+\s+-\s/);
});

test('without the daemon there is no RULE column and no managed count', () => {
  const lines = renderFrame({ ...INPUT, source: 'local', rules: false }, WIDE);
  assert.doesNotMatch(header(lines), /RULE/);
  assert.doesNotMatch(lines[1]!, /managed/);
  assert.match(lines[0]!, / - local - /);
});

test('a narrow terminal loses per-node columns from the right first, and says which', () => {
  const full = renderFrame(INPUT, WIDE);
  const widthOf = (lines: readonly string[]): number => Math.max(...lines.slice(2).map((l) => l.length));
  const natural = Math.max(header(full).length, ...rows(full).map((l) => l.length));
  // Room for everything but the last node column: N3 goes, nothing is shortened.
  const lines = renderFrame(INPUT, { width: natural - 3, height: Infinity });
  assert.match(header(lines), /N2$/);
  assert.equal(lines[lines.indexOf(header(lines)) - 1], '(node 3 not shown: too narrow)');
  assert.equal(full[full.indexOf(header(full)) - 1], '', 'nothing left out at full width');
  assert.match(rows(lines)[0]!, /memcached/);
  // Narrower than the fixed columns: names are shortened, every line still fits.
  const tight = renderFrame(INPUT, { width: 40, height: Infinity });
  assert.doesNotMatch(header(tight), /N0/);
  assert.equal(tight[tight.indexOf(header(tight)) - 1], '(nodes 0-3 not shown: too narrow)');
  for (const l of tight) assert.ok(l.length <= 40, `${l.length}: ${l}`);
  assert.ok(widthOf(full) > 40);
});

test('a short terminal shows the processes that fit, and says how many there are', () => {
  const lines = renderFrame(INPUT, { width: 200, height: 12 });
  assert.equal(lines.length, 12);
  // Title, summary, blank, 5 node lines, blank, process header: 2 rows left.
  assert.equal(rows(lines).length, 2);
  assert.match(lines[1]!, /^4 processes \(2 shown\)/);
});

test('fit cuts with a + and never exceeds the width', () => {
  assert.equal(fit('memcached', 20), 'memcached');
  assert.equal(fit('memcached', 5), 'memc+');
  assert.equal(fit('memcached', 0), '');
  fc.assert(fc.property(fc.string(), fc.nat(40), (s, w) => fit(s, w).length <= w || (fit(s, w) === s && s.length <= w)));
});

const arbProcess = fc
  .record({
    pid: fc.integer({ min: 1, max: 4194304 }),
    comm: fc.string({ minLength: 1, maxLength: 15 }).filter((s) => !/[\n\r]/.test(s)),
    perNode: fc.dictionary(fc.constantFrom('0', '1', '2', '3'), fc.integer({ min: 0, max: 1 << 20 })),
    threads: fc.subarray([0, 1, 2, 3]),
    rule: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
  })
  .map((r) => proc(r.pid, r.comm, Object.fromEntries(Object.entries(r.perNode).map(([k, v]) => [Number(k), v])), r.threads, r.rule));

test('any view at any size: no line wider or more lines than the terminal, processes in top order', () => {
  fc.assert(
    fc.property(
      fc.array(arbProcess, { maxLength: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 10, max: 250 }),
      fc.integer({ min: 1, max: 60 }),
      fc.boolean(),
      (ps, nodes, width, height, rules) => {
        const unique = [...new Map(ps.map((p) => [p.pid, p])).values()];
        const view: MemoryView = { ...VIEW, nodes: VIEW.nodes.slice(0, nodes), processes: unique };
        const lines = renderFrame({ ...INPUT, view, rules }, { width, height });
        assert.ok(lines.length <= height);
        for (const l of lines) assert.ok(l.length <= width, `${width}: ${l}`);
        const at = lines.findIndex((l) => /^\s*PID\s/.test(l));
        if (at >= 0) {
          const shown = lines.slice(at + 1).map((l) => Number(l.trim().split(/\s+/)[0]));
          assert.deepEqual(shown, topOrder(unique).slice(0, shown.length).map((p) => p.pid));
        }
      },
    ),
  );
});

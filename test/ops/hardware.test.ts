import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hardware } from '../../src/ops/hardware.js';
import { fixture } from '../fixtures/fixture-path.js';
import { expand, readFixture } from './helpers.js';

const NODE_DIR = 'sys/devices/system/node';

function meminfoKiB(tree: string, node: number, field: string): number {
  const text = readFixture(tree, `${NODE_DIR}/node${node}/meminfo`);
  const m = new RegExp(`^Node ${node} ${field.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(text);
  assert.ok(m, `${field} in node${node}/meminfo`);
  return Number(m[1]);
}

for (const tree of ['sys-guest-4node', 'sys-sparse']) {
  test(`hardware on ${tree}: node lists, CPUs, memory and distances as the sysfs files say`, () => {
    const r = hardware({ root: fixture(tree) });
    const list = (f: string): number[] => expand(readFixture(tree, `${NODE_DIR}/${f}`));
    assert.deepEqual(r.possible, list('possible'));
    assert.deepEqual(r.online, list('online'));
    assert.deepEqual(r.withMemory, list('has_memory'));
    assert.deepEqual(r.withCpu, list('has_cpu'));
    assert.deepEqual(
      r.nodes.map((n) => n.node),
      r.online,
    );
    for (const n of r.nodes) {
      assert.deepEqual(n.cpus, list(`node${n.node}/cpulist`), `cpus of node ${n.node}`);
      assert.equal(n.memTotalBytes, meminfoKiB(tree, n.node, 'MemTotal') * 1024);
      assert.equal(n.memFreeBytes, meminfoKiB(tree, n.node, 'MemFree') * 1024);
      assert.equal(n.memUsedBytes, meminfoKiB(tree, n.node, 'MemUsed') * 1024);
      assert.equal(n.fileBytes, meminfoKiB(tree, n.node, 'FilePages') * 1024);
      assert.equal(n.anonBytes, meminfoKiB(tree, n.node, 'AnonPages') * 1024);
      const pools = readdirSync(join(fixture(tree), NODE_DIR, `node${n.node}`, 'hugepages')).map((d) => {
        const dir = `${NODE_DIR}/node${n.node}/hugepages/${d}`;
        return {
          sizeBytes: Number(/(\d+)kB/.exec(d)![1]) * 1024,
          total: Number(readFixture(tree, `${dir}/nr_hugepages`)),
          free: Number(readFixture(tree, `${dir}/free_hugepages`)),
        };
      });
      assert.deepEqual(
        [...n.hugepages].sort((a, b) => a.sizeBytes - b.sizeBytes),
        pools.sort((a, b) => a.sizeBytes - b.sizeBytes),
      );
    }
    assert.deepEqual(
      r.distances,
      r.online.map((n) => readFixture(tree, `${NODE_DIR}/node${n}/distance`).trim().split(/\s+/).map(Number)),
    );
  });
}

test('hardware: the distance matrix is square over the online nodes with 10 on the diagonal', () => {
  const r = hardware({ root: fixture('sys-guest-4node') });
  assert.equal(r.distances.length, r.online.length);
  r.distances.forEach((row, i) => {
    assert.equal(row.length, r.online.length);
    assert.equal(row[i], 10);
  });
});

test('hardware: a memory-only node has no CPUs; interleave weights appear per node', () => {
  const r = hardware({ root: fixture('sys-sparse') });
  const n2 = r.nodes.find((n) => n.node === 2);
  assert.ok(n2);
  assert.deepEqual(n2.cpus, []);
  assert.ok(!r.withCpu.includes(2));
  const dir = 'sys/kernel/mm/mempolicy/weighted_interleave';
  for (const n of r.nodes) assert.equal(n.interleaveWeight, Number(readFixture('sys-sparse', `${dir}/node${n.node}`)));
});

test('hardware: no interleave weights on a kernel without them (6.1 guest)', () => {
  const r = hardware({ root: fixture('sys-guest-4node') });
  for (const n of r.nodes) assert.equal(n.interleaveWeight, undefined);
});

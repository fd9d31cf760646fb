import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNodeMeminfo, readNodeMeminfo } from '../../src/topology/node-meminfo.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readNodeMeminfo on the guest capture matches the file', () => {
  const root = fixture('sys-guest-4node');
  const m = readNodeMeminfo(1, { root });
  const text = readFileSync(join(root, 'sys/devices/system/node/node1/meminfo'), 'utf8');
  const total = Number(/MemTotal:\s+(\d+)/.exec(text)![1]);
  const free = Number(/MemFree:\s+(\d+)/.exec(text)![1]);
  assert.equal(m.node, 1);
  assert.equal(m.totalKiB, total);
  assert.equal(m.freeKiB, free);
  assert.ok(m.totalKiB > 0 && m.freeKiB <= m.totalKiB);
  assert.equal(m.fields['Active(file)'], Number(/Active\(file\):\s+(\d+)/.exec(text)![1]));
  assert.deepEqual(
    m.hugepages.map((h) => h.sizeKiB),
    [2048, 1048576],
  );
});

test('readNodeMeminfo: sparse fixture huge page pools and derived fields', () => {
  const root = fixture('sys-sparse');
  const m0 = readNodeMeminfo(0, { root });
  assert.equal(m0.usedKiB, 8388608 - 4194304);
  assert.equal(m0.fileKiB, 1048576);
  assert.equal(m0.anonKiB, 524288);
  assert.deepEqual(m0.hugepages, [{ sizeKiB: 2048, total: 16, free: 10, surplus: 0 }]);
  assert.equal(m0.fields.HugePages_Total, 16);
  const m2 = readNodeMeminfo(2, { root });
  assert.deepEqual(m2.hugepages, [
    { sizeKiB: 2048, total: 0, free: 0, surplus: 0 },
    { sizeKiB: 1048576, total: 2, free: 1, surplus: 1 },
  ]);
  assert.throws(() => readNodeMeminfo(5, { root }), /node 5 does not exist/);
});

test('parseNodeMeminfo keys drop the "Node N" prefix', () => {
  const f = parseNodeMeminfo('Node 12 MemTotal:  100 kB\nNode 12 Inactive(anon):   7 kB\nNode 12 HugePages_Free:     3\n');
  assert.deepEqual(f, { MemTotal: 100, 'Inactive(anon)': 7, HugePages_Free: 3 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { numapol } from './helpers.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';

const SYS = '/sys/devices/system/node';

interface HwJson {
  possible: number[];
  online: number[];
  withMemory: number[];
  withCpu: number[];
  nodes: { node: number; cpus: number[]; memTotalBytes: number; memFreeBytes: number; memUsedBytes: number; fileBytes: number; anonBytes: number; hugepages: { sizeBytes: number; total: number; free: number }[] }[];
  distances: number[][];
}

test('hardware --json: documented fields, values as /sys says', () => {
  const r = numapol(['hardware', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const hw = JSON.parse(r.stdout) as HwJson;
  assert.deepEqual(Object.keys(hw).sort(), ['distances', 'nodes', 'online', 'possible', 'withCpu', 'withMemory']);
  assert.deepEqual(hw.online, expand(readFileSync(`${SYS}/online`, 'utf8')));
  assert.deepEqual(hw.possible, expand(readFileSync(`${SYS}/possible`, 'utf8')));
  for (const n of hw.nodes) {
    for (const k of ['node', 'cpus', 'memTotalBytes', 'memFreeBytes', 'memUsedBytes', 'fileBytes', 'anonBytes', 'hugepages']) assert.ok(k in n, k);
    assert.deepEqual(n.cpus, expand(readFileSync(`${SYS}/node${n.node}/cpulist`, 'utf8')));
    const total = Number(/MemTotal:\s+(\d+)/.exec(readFileSync(`${SYS}/node${n.node}/meminfo`, 'utf8'))![1]) * 1024;
    assert.equal(n.memTotalBytes, total);
    assert.ok(n.memFreeBytes > 0 && n.memFreeBytes <= total);
  }
  assert.deepEqual(
    hw.distances,
    hw.online.map((n) => readFileSync(`${SYS}/node${n}/distance`, 'utf8').trim().split(/\s+/).map(Number)),
  );
});

test('hardware: human output names the nodes and prints the distance table', () => {
  const r = numapol(['hardware']);
  assert.equal(r.status, 0, r.stderr);
  const online = expand(readFileSync(`${SYS}/online`, 'utf8'));
  assert.match(r.stdout, new RegExp(`^available: ${online.length} nodes? \\(`));
  assert.match(r.stdout, /^node\s+cpus\s+size\s+free\s+used\s+file\s+anon\s+hugepages/m);
  assert.match(r.stdout, /^node distances:$/m);
  for (const n of online) assert.match(r.stdout, new RegExp(`^${n}\\s`, 'm'));
});

test('hardware and show refuse extra arguments: exit 2, one line naming it', () => {
  for (const args of [['hardware', 'extra'], ['show', String(process.pid), 'extra']]) {
    const r = numapol(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^numapol: ${args[0]}: unexpected argument '${args.at(-1)}'\n$`));
  }
});

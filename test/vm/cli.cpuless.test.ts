// The CLI on a machine with a memory-only node (CXL-like tier):
//   npm run vm -- --cpuless 3 'node --test dist/test/vm/cli.cpuless.test.js'
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { topologyFromEnv } from './harness/topology.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const MAIN = NUMAPOL_BIN;
const topology = topologyFromEnv();
const cpuless = topology?.nodes.find((n) => n.cpus.length === 0 && n.memMiB > 0);
const skip = !topology ? 'not inside the test bed' : !cpuless ? 'needs a CPU-less node (--cpuless N)' : false;

function numapol(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
}

test('hardware names the memory-only node and gives it memory but no CPUs', { skip }, () => {
  const c = cpuless!.id;
  const r = numapol(['hardware', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const hw = JSON.parse(r.stdout) as { withCpu: number[]; withMemory: number[]; nodes: { node: number; cpus: number[]; memTotalBytes: number }[] };
  assert.ok(!hw.withCpu.includes(c));
  assert.ok(hw.withMemory.includes(c));
  const n = hw.nodes.find((x) => x.node === c)!;
  assert.deepEqual(n.cpus, []);
  assert.ok(n.memTotalBytes > cpuless!.memMiB * 1048576 * 0.8);
  const human = numapol(['hardware']);
  assert.match(human.stdout, new RegExp(`memory-only: ${c}\\b`));
});

test('run can bind memory to the memory-only node but not CPUs', { skip }, () => {
  const c = cpuless!.id;
  const bad = numapol(['run', `--cpunodebind=${c}`, '--', 'true']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, new RegExp(`^numapol: node ${c} has no CPUs \\(memory-only node\\)`));
  const ok = numapol(['run', `--membind=${c}`, '--', 'sh', '-c', 'head -c 8M /dev/zero | tail -c 1 >/dev/null; grep -m1 bind /proc/self/numa_maps']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`bind:${c}\\b`));
});

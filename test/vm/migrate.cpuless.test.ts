// Run with a CPU-less node (CXL-like memory tier):
//   npm run vm -- --cpuless 3 'node --test dist/test/vm/migrate.cpuless.test.js'
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryPageNodes } from '../../src/kernel/index.js';
import { migrateProcess } from '../../src/ops/migrate.js';
import { movePidRange } from '../../src/ops/move.js';
import { startWriter } from '../targets/migrate-writer.js';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const cpuless = topology?.nodes.find((n) => n.cpus.length === 0 && n.memMiB > 0);
const withCpus = topology?.nodes.find((n) => n.cpus.length > 0);
const skip = !topology ? 'not inside the test bed' : !cpuless || !withCpus ? 'needs a CPU-less node (--cpuless N)' : false;

test('a CPU-less memory node as destination and as source', { skip }, async () => {
  const c = cpuless!.id;
  const home = withCpus!.id;
  const w = await startWriter('anon', 32, { wrap: ['numactl', `--preferred=${home}`] });
  try {
    const pages = Number(w.len) / 4096;
    const addrs = BigUint64Array.from({ length: pages }, (_, i) => w.addr + BigInt(i * 4096));
    const count = (node: number): number => queryPageNodes(w.pid, addrs).filter((s) => s === node).length;
    const m = await migrateProcess(w.pid, String(home), String(c));
    assert.equal(m.notMoved, 0);
    assert.equal(count(c), pages, 'all on the CPU-less node');
    const back = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: home, from: [c] });
    assert.equal(back.failed, 0);
    assert.equal(count(home), pages, 'all back from it');
    const again = await migrateProcess(w.pid, String(home), String(c), { batchPages: 512 });
    assert.equal(again.method, 'move_pages');
    assert.equal(count(c), pages, 'paced migrate to it');
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

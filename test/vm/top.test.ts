/**
 * `numapol top` on the 4-node guest: a process whose memory is bound to node 1 while its threads
 * run on node 0's CPUs has that memory counted as remote, on the screen and in --json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const MiB = 1048576;
const SIZE = 64 * MiB;


interface View {
  nodes: { node: number; cpus: number[] }[];
  processes: { pid: number; comm: string; bytesPerNode: Record<string, number>; totalBytes: number; threadsPerNode: Record<string, number>; localBytes: number; remoteBytes: number; localRatio: number }[];
}

test('memory bound to node 1 of a process running on node 0 is remote', async () => {
  // numapol run keeps its pid: the child is the node program, bound to node 1, run on node 0.
  const script = `const b = Buffer.alloc(${SIZE}, 1); process.stdout.write('ready\\n'); setInterval(() => b[0]++, 1 << 30);`;
  const child = spawn(process.execPath, [NUMAPOL_BIN, 'run', '--membind', '1', '--cpunodebind', '0', '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.match(chunk.toString(), /ready/);
    const r = spawnSync(process.execPath, [NUMAPOL_BIN, 'top', '--no-daemon', '--json', '--top', '100'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const view = JSON.parse(r.stdout) as View;
    assert.deepEqual(view.nodes.map((n) => n.node), [0, 1, 2, 3]);
    const p = view.processes.find((x) => x.pid === child.pid);
    assert.ok(p, `pid ${child.pid} not in the view`);
    assert.deepEqual(Object.keys(p.threadsPerNode), ['0'], 'every thread on node 0');
    assert.ok(p.bytesPerNode['1']! >= SIZE, `node 1 holds ${p.bytesPerNode['1']} bytes`);
    // Node 0 is where it runs: only its bytes there are local (shared library pages may be).
    assert.equal(p.localBytes, p.bytesPerNode['0'] ?? 0);
    assert.equal(p.remoteBytes, p.totalBytes - p.localBytes);
    assert.ok(p.remoteBytes >= SIZE);

    const batch = spawnSync(process.execPath, [NUMAPOL_BIN, 'top', '--no-daemon', '--iterations', '1', '--top', '100'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '200' } });
    assert.equal(batch.status, 0, batch.stderr);
    const row = batch.stdout.split('\n').find((l) => l.trim().startsWith(`${child.pid} `));
    assert.ok(row, batch.stdout);
    // PID COMM TOTAL REMOTE LOCAL% N0 N1 N2 N3: most of it remote, on N1.
    const cells = row.trim().split(/\s{2,}/);
    assert.equal(cells.length, 9, row);
    assert.ok(Number(cells[4]!.replace('%', '')) < 50, row);
    assert.notEqual(cells[6], '-', row);
    process.stdout.write(`${batch.stdout}\n`);
  } finally {
    child.kill('SIGKILL');
  }
});

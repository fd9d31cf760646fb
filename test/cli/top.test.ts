// `numapol top` as users run it (the built bin), not on a terminal: batch frames, --json, the
// daemon or not, and its usage errors. The full-screen mode is tested in top-tmux.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { lines, MAIN, numapol } from './helpers.js';
import { fakeDaemon } from './top/fake-daemon.js';
import { startMarker } from './top/marker.js';

/** The bin run without blocking this process (a fake daemon here must answer it). */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const NOWHERE = '/nonexistent/numapol-top-test.sock';
const machineNodes = readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n)).map((n) => Number(n.slice(4)));

/** Frames of batch output: separated by a blank line, each starting with the title. */
function frames(stdout: string): string[][] {
  return stdout
    .split(/\n\n(?=numapol top - )/)
    .map((f) => f.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1)))
    .filter((f) => f.length > 0);
}

test('batch mode: --iterations frames, each with the title, every node, and a large process', async () => {
  const marker = await startMarker();
  try {
    const r = await run(['top', '--no-daemon', '--iterations', '2', '--interval', '0.2', '--top', '30']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const fs = frames(r.stdout);
    assert.equal(fs.length, 2, r.stdout);
    for (const f of fs) {
      assert.match(f[0]!, /^numapol top - \d\d:\d\d:\d\d - local - every 0\.2s$/);
      const nodeHeader = f.findIndex((l) => /^NODE\s+CPUS\s+CPU%\s+FREE\s+TOTAL\s+FREE%$/.test(l));
      assert.ok(nodeHeader > 0, f.join('\n'));
      const nodeRows = f.slice(nodeHeader + 1).filter((l) => /^\s*\d+\s/.test(l)).slice(0, machineNodes.length);
      assert.deepEqual(nodeRows.map((l) => Number(l.trim().split(/\s+/)[0])), machineNodes);
      assert.match(f.find((l) => /^\s*PID\s/.test(l)) ?? '', /^\s*PID\s+COMM\s+TOTAL\s+REMOTE\s+LOCAL%\s+N\d/);
      const row = f.find((l) => l.trim().startsWith(`${marker.pid} `));
      assert.ok(row !== undefined, `pid ${marker.pid} missing:\n${f.join('\n')}`);
      assert.equal(row.trim().split(/\s+/)[1], marker.comm);
    }
  } finally {
    marker.stop();
  }
});

test('--json: one sample with the view\'s fields, processes in top order', async () => {
  const r = await run(['top', '--json', '--no-daemon', '--top', '5']);
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { time: string; nodes: { node: number; cpuBusy: number; memFreeBytes: number }[]; distances: number[][]; processes: { pid: number; comm: string; totalBytes: number; localBytes: number; remoteBytes: number; localRatio: number; rule: null; managed: boolean; bytesPerNode: Record<string, number> }[] };
  assert.deepEqual(Object.keys(v).sort(), ['distances', 'nodes', 'processes', 'time']);
  assert.deepEqual(v.nodes.map((n) => n.node), machineNodes);
  for (const n of v.nodes) assert.ok(n.cpuBusy >= 0 && n.cpuBusy <= 1);
  assert.ok(v.processes.length >= 1 && v.processes.length <= 5);
  for (const p of v.processes) {
    assert.equal(p.remoteBytes, p.totalBytes - p.localBytes);
    assert.equal(p.rule, null);
    assert.equal(p.managed, false);
    assert.equal(Object.values(p.bytesPerNode).reduce((s, b) => s + b, 0), p.totalBytes);
  }
  const order = v.processes.map((p) => [p.remoteBytes, p.totalBytes]);
  assert.deepEqual(order, [...order].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!));
});

test('with a daemon: its view, the RULE column and the rule of each managed process', async () => {
  const d = await fakeDaemon(() => ({
    time: new Date().toISOString(),
    nodes: [{ node: 0, cpus: [0, 1], memTotalBytes: 8 * 2 ** 30, memFreeBytes: 2 * 2 ** 30, memUsedBytes: 6 * 2 ** 30, fileBytes: 0, anonBytes: 0, hugepages: [], cpuBusy: 0.5 }],
    distances: [[10]],
    processes: [{ pid: 4242, comm: 'memcached', bytesPerNode: { 0: 1 << 30 }, totalBytes: 1 << 30, threadsPerNode: { 0: 4 }, localBytes: 1 << 30, remoteBytes: 0, localRatio: 1, rule: 'spread-cache', managed: true }],
  }));
  try {
    const r = await run(['top', '--socket', d.socket, '--iterations', '1', '--top', '9']);
    assert.equal(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    assert.match(out[0]!, /^numapol top - \d\d:\d\d:\d\d - daemon on /);
    assert.ok(out[0]!.endsWith(` - daemon on ${d.socket} - every 1s`), out[0]);
    assert.match(out[1]!, /^1 process, 1 managed;/);
    assert.match(out.find((l) => /^\s*PID\s/.test(l))!, /^\s*PID\s+COMM\s+RULE\s+TOTAL/);
    assert.match(out.at(-1)!, /^\s*4242\s+memcached\s+spread-cache\s+1\.0 GiB\s+-\s+100%\s+1\.0 GiB$/);
    assert.deepEqual(d.asked, ['/v1/memory?top=9']);
  } finally {
    await d.close();
  }
});

test('no daemon: the local view on the default socket, an error on a socket named with --socket', async () => {
  const quiet = await run(['top', '--iterations', '1'], { NUMAPOL_SOCKET: NOWHERE });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.match(quiet.stdout, /^numapol top - .* - local - /);
  const named = await run(['top', '--iterations', '1', '--socket', NOWHERE]);
  assert.equal(named.status, 1);
  assert.equal(named.stdout, '');
  assert.deepEqual(lines(named.stderr), [`numapol: no daemon answers on ${NOWHERE}: start it with 'numapol daemon' (or systemctl start numapol), or name its socket with --socket`]);
});

test('usage errors: one line, exit 2', () => {
  for (const args of [
    ['--interval', '0'],
    ['--interval', 'soon'],
    ['--interval', '-1'],
    ['--iterations', '0'],
    ['--top', '1001'],
    ['--top', 'x'],
    ['--json', '--iterations', '2'],
    ['--no-daemon', '--socket', NOWHERE],
    ['extra'],
  ]) {
    const r = numapol(['top', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^numapol: /);
  }
});

test('--help names every option and the JSON fields', () => {
  const r = numapol(['top', '--help']);
  assert.equal(r.status, 0);
  for (const o of ['--interval', '--iterations', '--top', '--socket', '--no-daemon', '--json']) assert.ok(r.stdout.includes(o), o);
  assert.match(r.stdout, /remoteBytes/);
});

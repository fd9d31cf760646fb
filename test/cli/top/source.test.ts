// Where `numapol top` gets its view: a daemon that answers, else the same view computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemoryView } from '../../../src/ops/read/memory-view.js';
import { NumapolError } from '../../../src/errors.js';
import { openSource, resilient, viewOfAnswer } from '../../../src/cli/top/source.js';
import { fakeDaemon } from './fake-daemon.js';

const DAEMON_VIEW: MemoryView = {
  time: '2026-12-05T10:00:00.000Z',
  nodes: [],
  distances: [],
  processes: [{ pid: 4242, comm: 'memcached', bytesPerNode: { 0: 4096, 1: 8192 }, totalBytes: 12288, threadsPerNode: { 0: 1 }, localBytes: 4096, remoteBytes: 8192, localRatio: 1 / 3, rule: 'cache', managed: true }],
};

const NOWHERE = '/nonexistent/numapol-top-test.sock';

test('the daemon answers: its view, asked for the top N, with the rule of each process', async () => {
  const d = await fakeDaemon(() => DAEMON_VIEW);
  try {
    const { source, first } = await openSource({ top: 7, local: false, socket: d.socket, named: true });
    assert.equal(source.kind, 'daemon');
    assert.equal(source.label, `daemon on ${d.socket}`);
    assert.deepEqual(first, DAEMON_VIEW);
    await source.look();
    assert.deepEqual(d.asked, ['/v1/memory?top=7', '/v1/memory?top=7']);
  } finally {
    await d.close();
  }
});

test('no daemon on the default socket: the local view; on a socket the user named: an error', async () => {
  const { source, first } = await openSource({ top: 3, local: false, socket: NOWHERE, named: false });
  assert.equal(source.kind, 'local');
  assert.ok(first.nodes.length >= 1, 'this machine has a node');
  assert.ok(first.processes.length <= 3);
  for (const p of first.processes) assert.equal(p.remoteBytes, p.totalBytes - p.localBytes);
  await assert.rejects(openSource({ top: 3, local: false, socket: NOWHERE, named: true }), (e: unknown) => e instanceof NumapolError && e.code === 'ENODAEMON');
});

test('--no-daemon does not ask the daemon even when one answers', async () => {
  const d = await fakeDaemon(() => DAEMON_VIEW);
  try {
    const { source } = await openSource({ top: 3, local: true, socket: d.socket, named: false });
    assert.equal(source.kind, 'local');
    assert.deepEqual(d.asked, []);
  } finally {
    await d.close();
  }
});

test('a daemon that stops answering: the view goes on locally, and its label says why', async () => {
  const d = await fakeDaemon(() => DAEMON_VIEW);
  const { source } = await openSource({ top: 2, local: false, socket: d.socket, named: true });
  const r = resilient(source, 2);
  assert.equal(r.kind, 'daemon');
  await d.close();
  const v = await r.look();
  assert.equal(r.kind, 'local');
  assert.match(r.label, /^local \(the daemon stopped answering\)$/);
  assert.ok(v.nodes.length >= 1);
});

test("an older daemon's answer without remoteBytes gets it from total and local", () => {
  const { remoteBytes: _r, ...old } = DAEMON_VIEW.processes[0]!;
  const v = viewOfAnswer({ ...DAEMON_VIEW, processes: [old as unknown as MemoryView['processes'][number]] });
  assert.equal(v.processes[0]!.remoteBytes, 8192);
  assert.equal(v.processes[0]!.rule, 'cache');
});

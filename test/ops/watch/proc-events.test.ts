import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcConnectorEvent } from '../../../src/kernel/proc-connector.js';
import { toProcEvents, watchProcEvents, type ProcEvent } from '../../../src/ops/watch/proc-events.js';
import { Collector, NOT_ROOT, runProcEventsTarget } from '../../helpers/proc-events.js';
import { publicPackageRoot } from '../../helpers/public-copy.js';

const head = { cpu: 0, timestampNs: 0n };

test('toProcEvents: user ids (pid = tgid, tid = the kernel pid), exit status and signal as waitpid tells them', () => {
  const raw: ProcConnectorEvent[] = [
    { ...head, what: 'fork', parentPid: 11, parentTgid: 10, childPid: 21, childTgid: 20 },
    { ...head, what: 'exec', processPid: 20, processTgid: 20 },
    { ...head, what: 'comm', processPid: 21, processTgid: 20, comm: 'x y' },
    { ...head, what: 'exit', processPid: 20, processTgid: 20, exitCode: 3 << 8, exitSignal: 17, parentPid: 0, parentTgid: 0 },
    { ...head, what: 'exit', processPid: 22, processTgid: 22, exitCode: 9, exitSignal: 17, parentPid: 0, parentTgid: 0 },
    { ...head, what: 'exit', processPid: 23, processTgid: 23, exitCode: 0x80 | 11, exitSignal: 17, parentPid: 0, parentTgid: 0 },
    { ...head, what: 'exit', processPid: 24, processTgid: 24, exitCode: 255 << 8, exitSignal: 17, parentPid: 0, parentTgid: 0 },
    { ...head, what: 'uid', processPid: 1, processTgid: 1, real: 0, effective: 0 },
    { ...head, what: 'gid', processPid: 1, processTgid: 1, real: 0, effective: 0 },
    { ...head, what: 'sid', processPid: 1, processTgid: 1 },
    { ...head, what: 'ptrace', processPid: 1, processTgid: 1, tracerPid: 2, tracerTgid: 2 },
    { ...head, what: 'coredump', processPid: 1, processTgid: 1, parentPid: 0, parentTgid: 0 },
    { ...head, what: 'none', err: 0, ack: 1 },
    { ...head, what: 'unknown', code: 0x400 },
  ];
  assert.deepEqual(toProcEvents(raw), [
    { kind: 'fork', pid: 20, tid: 21, parentPid: 10, parentTid: 11, ns: head.timestampNs },
    { kind: 'exec', pid: 20, tid: 20, ns: head.timestampNs },
    { kind: 'comm', pid: 20, tid: 21, comm: 'x y', ns: head.timestampNs },
    { kind: 'exit', pid: 20, tid: 20, code: 3, signal: 0, ns: head.timestampNs },
    { kind: 'exit', pid: 22, tid: 22, code: 0, signal: 9, ns: head.timestampNs },
    { kind: 'exit', pid: 23, tid: 23, code: 0, signal: 11, ns: head.timestampNs },
    { kind: 'exit', pid: 24, tid: 24, code: 255, signal: 0, ns: head.timestampNs },
  ]);
});

/**
 * The events about one task (by tid), in arrival order, without their times: those are checked
 * to be the kernel's monotonic clock, in order, within this test's run.
 */
const about = (events: readonly ProcEvent[], tid: number): Omit<ProcEvent, 'ns'>[] => {
  const mine = events.filter((e) => e.tid === tid);
  for (let i = 0; i < mine.length; i++) {
    const ns = mine[i]!.ns;
    assert.ok(ns > STARTED && ns <= process.hrtime.bigint(), `event time ${ns} is CLOCK_MONOTONIC, after the test started`);
    if (i > 0) assert.ok(ns >= mine[i - 1]!.ns, 'one task\'s events come in time order');
  }
  return mine.map(({ ns: _ns, ...rest }) => rest);
};
const STARTED = process.hrtime.bigint();
const exitOf = (tid: number) => (all: readonly ProcEvent[]) => all.some((e) => e.kind === 'exit' && e.tid === tid);

test('watchProcEvents: a process, its thread and its child, as typed events', { skip: NOT_ROOT }, async () => {
  const events = new Collector<ProcEvent>();
  let overruns = 0;
  const stream = watchProcEvents(events.push, () => overruns++);
  try {
    const run = await runProcEventsTarget(3);
    assert.equal(run.exitCode, 3);
    const { pid, tid, child } = run;
    await events.until((all) => [pid, tid, child].every((t) => exitOf(t)(all)), 'three exits');
    assert.equal(overruns, 0);
    assert.deepEqual(about(events.all, pid), [
      { kind: 'fork', pid, tid: pid, parentPid: process.pid, parentTid: process.pid },
      { kind: 'exec', pid, tid: pid },
      { kind: 'comm', pid, tid: pid, comm: 'cn-main' },
      { kind: 'exit', pid, tid: pid, code: 3, signal: 0 },
    ]);
    assert.deepEqual(about(events.all, tid), [
      { kind: 'fork', pid, tid, parentPid: process.pid, parentTid: process.pid },
      { kind: 'comm', pid, tid, comm: 'cn-thread' },
      { kind: 'exit', pid, tid, code: 0, signal: 0 },
    ]);
    assert.deepEqual(about(events.all, child), [
      { kind: 'fork', pid: child, tid: child, parentPid: pid, parentTid: pid },
      { kind: 'exec', pid: child, tid: child },
      { kind: 'exit', pid: child, tid: child, code: 0, signal: 0 },
    ]);
    const stats = stream.stats;
    assert.equal(stats.overruns, 0);
    assert.equal(stats.events, events.all.length);
  } finally {
    stream.close();
  }
});

test('watchProcEvents: a process killed by a signal, and a comm written to /proc/self/comm', { skip: NOT_ROOT }, async () => {
  const events = new Collector<ProcEvent>();
  const stream = watchProcEvents(events.push, () => {});
  try {
    const killed = await runProcEventsTarget(0, true);
    assert.equal(killed.signal, 'SIGTERM');
    const sh = spawn('sh', ['-c', 'printf "numapol sh)" > /proc/self/comm; exit 42'], { stdio: 'ignore' });
    const [code] = (await once(sh, 'exit')) as [number];
    assert.equal(code, 42);
    const shPid = sh.pid!;
    await events.until((all) => exitOf(killed.pid)(all) && exitOf(shPid)(all), 'the exits');
    assert.deepEqual(
      about(events.all, killed.pid).filter((e) => e.kind === 'exit'),
      [{ kind: 'exit', pid: killed.pid, tid: killed.pid, code: 0, signal: 15 }],
    );
    assert.deepEqual(
      about(events.all, shPid).filter((e) => e.kind !== 'fork'),
      [
        { kind: 'exec', pid: shPid, tid: shPid },
        { kind: 'comm', pid: shPid, tid: shPid, comm: 'numapol sh)' },
        { kind: 'exit', pid: shPid, tid: shPid, code: 42, signal: 0 },
      ],
    );
  } finally {
    stream.close();
  }
});

test('watchProcEvents: an overrun calls onOverrun and counts it; events go on after it', { skip: NOT_ROOT }, async () => {
  const overruns = new Collector<number>();
  const events = new Collector<ProcEvent>();
  const stream = watchProcEvents(events.push, () => overruns.push([1]), { receiveBuffer: 1 });
  try {
    // The main thread held by spawnSync takes no event while 50 execs make 150 in a buffer of 2 or 3.
    spawnSync('sh', ['-c', 'i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i+1)); done']);
    await overruns.until((all) => all.length >= 1, 'an overrun');
    assert.equal(stream.stats.overruns, overruns.all.length);
    // The stream goes on. Which events come is not said: with a buffer this small, what other
    // processes on the machine do overruns it again.
    const seen = events.all.length;
    spawnSync('/bin/true');
    await events.until((all) => all.length > seen, 'an event after the overrun');
  } finally {
    stream.close();
  }
});

test('watchProcEvents: nothing is delivered after close(); close() twice is harmless', { skip: NOT_ROOT }, async () => {
  let after = 0;
  let closed = false;
  const stream = watchProcEvents(
    () => {
      if (closed) after++;
    },
    () => {},
  );
  // A second stream tells when the events of a later process have been read.
  const witness = new Collector<ProcEvent>();
  const other = watchProcEvents(witness.push, () => {});
  try {
    stream.close();
    closed = true;
    stream.close();
    const r = spawnSync('/bin/true');
    await witness.until(exitOf(r.pid!), 'the exit of /bin/true');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(after, 0);
    assert.equal(stream.stats.events, 0);
  } finally {
    other.close();
  }
});

/** Runs watchProcEvents in a child process (via `prefix`, e.g. unshare) and returns what it threw. */
async function openingIn(prefix: string[], packageRoot: string, uid?: number): Promise<{ code?: string; reason?: string; message?: string; opened?: boolean }> {
  const module = join(packageRoot, 'dist/src/ops/watch/proc-events.js');
  const script = `
    const { watchProcEvents } = await import(${JSON.stringify(module)});
    try { watchProcEvents(() => {}, () => {}).close(); console.log(JSON.stringify({ opened: true })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, reason: e.details?.reason, message: e.message })); }
  `;
  const argv = [...prefix, process.execPath, '--input-type=module', '-e', script];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], ...(uid === undefined ? {} : { uid, gid: uid }) });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(child, 'close');
  return JSON.parse(out) as { code?: string; reason?: string; message?: string };
}

const checkout = fileURLToPath(new URL('../../../../', import.meta.url));
const hasUnshare = spawnSync('unshare', ['--version']).status === 0;

test('ENOCONNECTOR when not root: says to run as root', { skip: NOT_ROOT }, async () => {
  const r = await openingIn([], publicPackageRoot(), 65534);
  assert.equal(r.code, 'ENOCONNECTOR');
  assert.equal(r.reason, 'EPERM');
  assert.match(r.message!, /run numapol daemon as root/);
});

test('ENOCONNECTOR in a network namespace of its own: says to use the host one', { skip: NOT_ROOT || (!hasUnshare && 'no unshare') }, async () => {
  const r = await openingIn(['unshare', '--net'], checkout);
  assert.equal(r.code, 'ENOCONNECTOR');
  assert.equal(r.reason, 'ECONNREFUSED');
  assert.match(r.message!, /initial network namespace/);
});

test('ENOCONNECTOR in a pid namespace of its own: the kernel ignores the listener', { skip: NOT_ROOT || (!hasUnshare && 'no unshare') }, async () => {
  const r = await openingIn(['unshare', '--pid', '--fork'], checkout);
  assert.equal(r.code, 'ENOCONNECTOR');
  assert.equal(r.reason, 'ENOACK');
  assert.match(r.message!, /initial user and PID namespaces/);
});

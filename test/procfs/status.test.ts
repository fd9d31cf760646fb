import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readStatus, parseStatus } from '../../src/procfs/status.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readStatus of the guest capture and of its thread', () => {
  const root = fixture('proc-guest-policies');
  const s = readStatus(244, { root });
  assert.equal(s.name, 'python3');
  assert.equal(s.tgid, 244);
  assert.equal(s.pid, 244);
  assert.equal(s.threads, 2);
  assert.deepEqual(s.uid, [0, 0, 0, 0]);
  assert.deepEqual(s.memsAllowed, [0, 1, 2, 3]);
  assert.equal(s.tracerPid, 0);
  assert.equal(typeof s.seccomp, 'number');
  const t = readStatus(244, { root, tid: 247 });
  assert.equal(t.pid, 247);
  assert.equal(t.tgid, 244);
});

test('parseStatus: state letter and text; fields missing on old kernels', () => {
  const s = parseStatus('Name:\tx y\nState:\tt (tracing stop)\nTgid:\t9\nUid:\t1000\t1001\t1002\t1003\nTracerPid:\t77\n');
  assert.equal(s.name, 'x y');
  assert.equal(s.state, 't');
  assert.equal(s.stateText, 'tracing stop');
  assert.equal(s.tracerPid, 77);
  assert.deepEqual(s.uid, [1000, 1001, 1002, 1003]);
  assert.equal(s.seccomp, undefined);
  assert.deepEqual(s.memsAllowed, []);
});

test('readStatus of this process', () => {
  const s = readStatus(process.pid);
  assert.equal(s.pid, process.pid);
  assert.equal(s.uid[0], process.getuid!());
  assert.ok(s.cpusAllowed.length >= 1);
});

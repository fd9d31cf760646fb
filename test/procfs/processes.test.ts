import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findProcesses, listPids, listProcesses, readCmdline, readComm } from '../../src/procfs/processes.js';
import { fixture } from '../fixtures/fixture-path.js';

test('process list of a fixture root', () => {
  const root = fixture('proc-guest-policies');
  assert.deepEqual(listPids({ root }), [244]);
  assert.equal(readComm(244, { root }), 'python3');
  assert.equal(readComm(244, { root, tid: 247 }), 'python3');
  const argv = readCmdline(244, { root });
  assert.equal(argv[0], '/usr/bin/python3');
  assert.equal(argv[1], '-c');
  assert.equal(argv.length, 3);
  assert.equal(listProcesses({ root }).length, 1);
});

test('findProcesses by pid, substring and RegExp', () => {
  const root = fixture('proc-host-python');
  assert.deepEqual(findProcesses('8022', { root }).map((p) => p.pid), [8022]);
  assert.deepEqual(findProcesses('9', { root }), []);
  assert.deepEqual(findProcesses('python', { root }).map((p) => p.pid), [8022]);
  assert.deepEqual(findProcesses(/^pyth/, { root }).map((p) => p.pid), [8022]);
  assert.deepEqual(findProcesses('nginx', { root }), []);
});

test('this process is in the live list', () => {
  assert.ok(listPids().includes(process.pid));
  const me = findProcesses(String(process.pid));
  assert.equal(me.length, 1);
  assert.equal(me[0]!.cmdline[0], process.argv0);
  assert.deepEqual(me[0]!.cmdline.slice(-process.argv.length + 1), process.argv.slice(1));
  assert.ok(findProcesses(me[0]!.comm).some((p) => p.pid === process.pid));
});

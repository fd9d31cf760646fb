import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCpuset } from '../../src/topology/cpuset.js';
import { ProcessGoneError } from '../../src/errors.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readCpuset from a captured status', () => {
  assert.deepEqual(readCpuset(244, { root: fixture('proc-guest-policies') }), { mems: [0, 1, 2, 3], cpus: [0, 1, 2, 3] });
  assert.deepEqual(readCpuset(244, { root: fixture('proc-guest-policies'), tid: 247 }), { mems: [0, 1, 2, 3], cpus: [0, 1, 2, 3] });
});

test('readCpuset of this process on the real machine includes a CPU we run on', () => {
  const c = readCpuset(process.pid);
  assert.ok(c.mems.length >= 1);
  assert.ok(c.cpus.length >= 1);
});

test('readCpuset of a missing pid is ProcessGoneError', () => {
  assert.throws(() => readCpuset(99999, { root: fixture('proc-guest-policies') }), ProcessGoneError);
});

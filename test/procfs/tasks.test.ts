import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listThreads } from '../../src/procfs/tasks.js';
import { ProcessGoneError } from '../../src/errors.js';
import { fixture } from '../fixtures/fixture-path.js';

test('listThreads', () => {
  assert.deepEqual(listThreads(244, { root: fixture('proc-guest-policies') }), [244, 247]);
  assert.ok(listThreads(process.pid).includes(process.pid));
  assert.throws(() => listThreads(99999, { root: fixture('proc-guest-policies') }), ProcessGoneError);
});

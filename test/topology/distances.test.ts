import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distance, readDistances } from '../../src/topology/distances.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readDistances on the guest capture', () => {
  const m = readDistances([0, 1, 2, 3], { root: fixture('sys-guest-4node') });
  assert.deepEqual(m.rows, [
    [10, 20, 30, 30],
    [20, 10, 20, 30],
    [30, 20, 10, 20],
    [30, 30, 20, 10],
  ]);
  assert.equal(distance(m, 1, 2), 20);
  assert.equal(distance(m, 3, 3), 10);
  assert.equal(distance(m, 0, 9), undefined);
});

test('readDistances on sparse ids labels rows by node id', () => {
  const m = readDistances([0, 2], { root: fixture('sys-sparse') });
  assert.equal(distance(m, 2, 0), 30);
  assert.equal(distance(m, 0, 0), 10);
});

test('readDistances rejects a row of the wrong length', () => {
  assert.throws(() => readDistances([0, 1, 2], { root: fixture('sys-guest-4node') }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'EPARSE');
    return true;
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readInterleaveWeights } from '../../src/topology/weights.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readInterleaveWeights reads nodeN files and auto', () => {
  assert.deepEqual(readInterleaveWeights({ root: fixture('sys-sparse') }), { weights: { 0: 3, 2: 1 }, auto: false });
});

test('readInterleaveWeights is undefined before Linux 6.9 (guest 6.1)', () => {
  assert.equal(readInterleaveWeights({ root: fixture('sys-guest-4node') }), undefined);
});

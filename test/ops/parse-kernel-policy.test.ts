import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelPolicy } from '../../src/ops/parse-kernel-policy.js';

test('kernelPolicy: every form numa_maps prints', () => {
  assert.deepEqual(kernelPolicy('default'), { mode: 'default', nodes: [], flags: {} });
  assert.deepEqual(kernelPolicy('bind:1-2'), { mode: 'bind', nodes: [1, 2], flags: {} });
  assert.deepEqual(kernelPolicy('prefer:3'), { mode: 'preferred', nodes: [3], flags: {} });
  assert.equal(kernelPolicy('prefer (many):0,2')?.mode, 'preferred_many');
  assert.deepEqual(kernelPolicy('prefer (many):0,2')?.nodes, [0, 2]);
  assert.equal(kernelPolicy('local')?.mode, 'local');
  assert.equal(kernelPolicy('interleave=relative:0-3')?.flags.remap, 'relative');
  assert.equal(kernelPolicy('bind=static:0-1')?.flags.remap, 'static');
});

test('kernelPolicy: text it cannot parse gives undefined, not an error', () => {
  assert.equal(kernelPolicy('frobnicate:1'), undefined);
  assert.equal(kernelPolicy(''), undefined);
});

test('kernelPolicy: the same text gives the same (cached) object', () => {
  assert.equal(kernelPolicy('interleave:1-3'), kernelPolicy('interleave:1-3'));
});

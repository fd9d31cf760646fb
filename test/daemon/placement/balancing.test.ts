// The kernel's NUMA balancing as placement reports it, and which processes it touches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancingReport, kernelBalancesProcess, policyOf } from '../../../src/daemon/placement/index.js';
import { describeNumaBalancing } from '../../../src/ops/read/numa-balancing.js';

test('the summary says what the switch does', () => {
  assert.equal(balancingReport(describeNumaBalancing(0)).summary, 'kernel NUMA balancing: off (0)');
  assert.match(balancingReport(describeNumaBalancing(1)).summary, /^kernel NUMA balancing: normal \(1\): the kernel also moves pages/);
  assert.match(balancingReport(describeNumaBalancing(2)).summary, /^kernel NUMA balancing: tiering \(2\): hot pages are promoted/);
  assert.equal(balancingReport({ value: null, mode: 'unsupported', normal: false, tiering: false }).summary, 'kernel NUMA balancing: not built into this kernel');
});

test('which processes the kernel balances: default policy yes, an explicit policy no, the balancing flag within its nodes', () => {
  const on = describeNumaBalancing(1);
  assert.equal(kernelBalancesProcess(policyOf('default'), on), 'balanced');
  assert.equal(kernelBalancesProcess(policyOf('bind:2'), on), 'skipped');
  assert.equal(kernelBalancesProcess(policyOf('local'), on), 'skipped');
  assert.equal(kernelBalancesProcess(policyOf('interleave:0-3'), on), 'skipped');
  assert.equal(kernelBalancesProcess(policyOf('bind=balancing:0-1'), on), 'within-policy');
  assert.equal(kernelBalancesProcess(policyOf('default'), describeNumaBalancing(0)), 'off');
});

test('policy text as numa_maps prints it, parsed; unknown text kept', () => {
  assert.deepEqual(policyOf('bind=balancing:0-1'), { text: 'bind=balancing:0-1', mode: 'bind', nodes: [0, 1], balancing: true });
  assert.deepEqual(policyOf('interleave:0-3'), { text: 'interleave:0-3', mode: 'interleave', nodes: [0, 1, 2, 3], balancing: false });
  assert.equal(policyOf('frobnicate:9').mode, 'unknown');
});

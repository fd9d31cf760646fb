import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NumapolError } from '../../src/errors.js';
import { checkKernelSupports, kernelSupportProblem } from '../../src/ops/kernel-support.js';
import { mempolicy } from '../../src/policy/model.js';

function rootWithRelease(release: string): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-release-'));
  mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(join(root, 'proc/sys/kernel/osrelease'), `${release}\n`);
  return root;
}

test('modes newer than the kernel are named with the release that added them', () => {
  const root = rootWithRelease('6.1.0-56-amd64');
  assert.equal(
    kernelSupportProblem(mempolicy('weighted_interleave', [0, 1]), { root }),
    'weighted_interleave needs Linux 6.9 or later: this kernel is 6.1.0-56-amd64',
  );
  assert.equal(kernelSupportProblem(mempolicy('preferred_many', [0, 1]), { root }), undefined);
  assert.equal(kernelSupportProblem(mempolicy('bind', [0], { balancing: true }), { root }), undefined);
  const old = rootWithRelease('5.10.0-30-amd64');
  assert.match(kernelSupportProblem(mempolicy('preferred_many', [0, 1]), { root: old }) ?? '', /needs Linux 5\.15/);
  assert.match(kernelSupportProblem(mempolicy('bind', [0], { balancing: true }), { root: old }) ?? '', /balancing flag needs Linux 5\.12/);
  assert.equal(kernelSupportProblem(mempolicy('weighted_interleave', [0]), { root: rootWithRelease('6.18.44') }), undefined);
});

test('an unreadable release lets the kernel decide', () => {
  const root = mkdtempSync(join(tmpdir(), 'numapol-norelease-'));
  assert.equal(kernelSupportProblem(mempolicy('weighted_interleave', [0]), { root }), undefined);
});

test('checkKernelSupports throws an operation error (exit 1), not a usage error', () => {
  const root = rootWithRelease('4.19.0');
  assert.throws(
    () => checkKernelSupports(mempolicy('preferred_many', [0]), { root }),
    (e: unknown) => e instanceof NumapolError && e.code === 'ENOTSUP' && !e.usage,
  );
});

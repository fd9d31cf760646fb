import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGoneError } from '../../src/errors.js';
import { inferThreadPolicyText } from '../../src/ops/thread-policy.js';
import { fixture } from '../fixtures/fixture-path.js';

test('inferThreadPolicyText: the policy most VMAs of the thread show', () => {
  const root = fixture('proc-guest-policies');
  assert.equal(inferThreadPolicyText(244, 244, root), 'bind:1-2');
  assert.equal(inferThreadPolicyText(244, 247, root), 'prefer:3');
  assert.equal(inferThreadPolicyText(8022, 8024, fixture('proc-host-python')), 'interleave:0');
  assert.equal(inferThreadPolicyText(8000, 8000, fixture('proc-host-sleep')), 'default');
});

function fakeTask(numaMaps: string): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-tp-'));
  mkdirSync(join(root, 'proc/5/task/6'), { recursive: true });
  writeFileSync(join(root, 'proc/5/task/6/numa_maps'), numaMaps);
  return root;
}

test('inferThreadPolicyText: a majority, not the first line; a policy with a blank (prefer (many))', () => {
  const text = ['1000 bind:0 anon=1 N0=1', '2000 prefer (many):0,2 anon=1 N0=1', '3000 prefer (many):0,2', '4000 prefer (many):0,2 heap'].join('\n');
  assert.equal(inferThreadPolicyText(5, 6, fakeTask(`${text}\n`)), 'prefer (many):0,2');
});

test('inferThreadPolicyText: an empty numa_maps (kernel thread) means default', () => {
  assert.equal(inferThreadPolicyText(5, 6, fakeTask('')), 'default');
});

test('inferThreadPolicyText: only the first 8 KiB are read (a cut-off last line does not count)', () => {
  const line = (i: number, p: string): string => `${(0x10000 + i).toString(16)}000 ${p} anon=1 dirty=1 N0=1 kernelpagesize_kB=4`;
  const head: string[] = [];
  for (let i = 0; head.join('\n').length < 6000; i++) head.push(line(i, 'interleave:0'));
  // Far more lines of another policy after the first 8 KiB: they must not be read.
  const tail = Array.from({ length: 2000 }, (_, i) => line(100000 + i, 'bind:0'));
  assert.equal(inferThreadPolicyText(5, 6, fakeTask(`${[...head, ...tail].join('\n')}\n`)), 'interleave:0');
});

test('inferThreadPolicyText: a thread that is not there is ProcessGoneError naming the tid and its pid', () => {
  assert.throws(
    () => inferThreadPolicyText(244, 9999, fixture('proc-guest-policies')),
    (e: unknown) => e instanceof ProcessGoneError && e.message === 'thread 9999 of pid 244 is gone',
  );
});

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

test('inferThreadPolicyText: only the first 4 KiB are read', () => {
  const line = (i: number, p: string): string => `${(0x10000 + i).toString(16)}000 ${p} anon=1 dirty=1 N0=1 kernelpagesize_kB=4`;
  const head: string[] = [];
  for (let i = 0; head.join('\n').length < 3000; i++) head.push(line(i, 'interleave:0'));
  // Fewer lines of another policy in the rest of the first 4 KiB, far more after it: the vote
  // would go the other way if the next page were read.
  const tail = Array.from({ length: 2000 }, (_, i) => line(100000 + i, 'bind:0'));
  assert.equal(inferThreadPolicyText(5, 6, fakeTask(`${[...head, ...tail].join('\n')}\n`)), 'interleave:0');
});

test('inferThreadPolicyText: the line the head cuts off does not count, also when paths are UTF-8', () => {
  // A and B alternate, A first, so that they tie and A wins; the cut-off line is a B. With
  // multibyte paths the text is shorter than the bytes read, which must not hide the cut.
  const line = (i: number, p: string, n: number): string => `${(0x10000 + i).toString(16)}000 ${p} file=/${'é'.repeat(n)} N0=1\n`;
  let text = '';
  let i = 0;
  for (; Buffer.byteLength(text + line(i, 'x', 20)) < 4096 - 200 || i % 2 === 1; i++) text += line(i, i % 2 === 0 ? 'interleave:0' : 'bind:0', 20);
  const cut = line(i, 'bind:0', 300);
  assert.ok(Buffer.byteLength(text) < 4096 && Buffer.byteLength(text + cut) > 4096 + 100);
  text += cut + line(i + 1, 'interleave:0', 20);
  assert.equal(inferThreadPolicyText(5, 6, fakeTask(text)), 'interleave:0');
});

test('inferThreadPolicyText: a thread that is not there is ProcessGoneError naming the tid and its pid', () => {
  assert.throws(
    () => inferThreadPolicyText(244, 9999, fixture('proc-guest-policies')),
    (e: unknown) => e instanceof ProcessGoneError && e.message === 'thread 9999 of pid 244 is gone',
  );
});

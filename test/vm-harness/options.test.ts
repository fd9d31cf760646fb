import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_TIMEOUT_SEC, parseNodeList, parseOptions, TESTS_COMMAND } from '../vm/harness/options.js';

test('defaults: 4 nodes of 1 GiB, TCG, the line distances', () => {
  const o = parseOptions(['echo hi']);
  assert.equal(o.nodes, 4);
  assert.deepEqual(o.memMiB, [1024]);
  assert.equal(o.dist, undefined);
  assert.equal(o.kvm, false);
  assert.equal(o.timeoutSec, DEFAULT_TIMEOUT_SEC);
  assert.equal(o.command, 'echo hi');
});

test('options before the command; words after it belong to the command', () => {
  const o = parseOptions(['--nodes', '2', '--mem-mib', '256,512', '--cpuless', '1', '--kvm', '--timeout', '60', 'ls', '--nodes']);
  assert.equal(o.nodes, 2);
  assert.deepEqual(o.memMiB, [256, 512]);
  assert.deepEqual(o.cpuless, [1]);
  assert.equal(o.kvm, true);
  assert.equal(o.timeoutSec, 60);
  assert.equal(o.command, 'ls --nodes');
  assert.equal(parseOptions(['--', '--weird', 'x']).command, '--weird x');
});

test('--tests runs the VM suite and excludes a command', () => {
  assert.equal(parseOptions(['--tests']).command, TESTS_COMMAND);
  assert.throws(() => parseOptions(['--tests', 'ls']), /either --tests or a command/);
});

test('bad values are refused with the option named', () => {
  assert.throws(() => parseOptions(['--nodes', 'x']), /--nodes: expected a positive whole number/);
  assert.throws(() => parseOptions(['--timeout']), /--timeout needs a value/);
  assert.throws(() => parseOptions(['--bogus', 'ls']), /unknown option --bogus/);
});

test('node lists take single nodes and ranges', () => {
  assert.deepEqual(parseNodeList('3'), [3]);
  assert.deepEqual(parseNodeList('1-3,5'), [1, 2, 3, 5]);
  assert.throws(() => parseNodeList('3-1'), /backwards/);
  assert.throws(() => parseNodeList('a'), /not a node number/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNodes } from '../../src/topology/nodes.js';
import { readNodeCpus } from '../../src/topology/node-cpus.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readNodes on the 4-node guest capture', () => {
  const s = readNodes({ root: fixture('sys-guest-4node') });
  assert.deepEqual(s.online, [0, 1, 2, 3]);
  assert.deepEqual(s.possible, [0, 1, 2, 3]);
  assert.deepEqual(s.withMemory, [0, 1, 2, 3]);
  assert.deepEqual(s.withCpu, [0, 1, 2, 3]);
  assert.equal(s.numa, true);
});

test('readNodes keeps sparse ids and memory-only nodes apart', () => {
  const s = readNodes({ root: fixture('sys-sparse') });
  assert.deepEqual(s.possible, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(s.online, [0, 2]);
  assert.deepEqual(s.withMemory, [0, 2]);
  assert.deepEqual(s.withCpu, [0]);
});

test('readNodes without a node directory reports one node 0 and numa=false', () => {
  const s = readNodes({ root: mkdtempSync(join(tmpdir(), 'numapol-empty-')) });
  assert.deepEqual(s.online, [0]);
  assert.equal(s.numa, false);
});

test('readNodeCpus', () => {
  assert.deepEqual(readNodeCpus(2, { root: fixture('sys-guest-4node') }), [2]);
  assert.deepEqual(readNodeCpus(0, { root: fixture('sys-sparse') }), [0, 1, 2, 3]);
  assert.deepEqual(readNodeCpus(2, { root: fixture('sys-sparse') }), []);
  assert.throws(() => readNodeCpus(1, { root: fixture('sys-sparse') }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ENODEV');
    assert.match(e.message, /node 1 does not exist/);
    return true;
  });
});

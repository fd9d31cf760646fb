import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNodeNumastat } from '../../src/topology/numastat.js';
import { fixture } from '../fixtures/fixture-path.js';

test('readNodeNumastat names every counter', () => {
  const s = readNodeNumastat(2, { root: fixture('sys-sparse') });
  assert.deepEqual(
    { ...s, fields: undefined },
    { node: 2, numaHit: 1002, numaMiss: 20, numaForeign: 7, interleaveHit: 5, localNode: 902, otherNode: 102, fields: undefined },
  );
});

test('readNodeNumastat on the guest: local + other = hit + miss', () => {
  const root = fixture('sys-guest-4node');
  for (const n of [0, 1, 2, 3]) {
    const s = readNodeNumastat(n, { root });
    const text = readFileSync(join(root, `sys/devices/system/node/node${n}/numastat`), 'utf8');
    assert.equal(s.numaHit, Number(/numa_hit (\d+)/.exec(text)![1]));
    assert.equal(s.localNode + s.otherNode, s.numaHit + s.numaMiss);
  }
});

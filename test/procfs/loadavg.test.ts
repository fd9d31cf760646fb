import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRunnable, readRunnable } from '../../src/procfs/loadavg.js';

test('the runnable count is the fourth field\'s first number; anything else is not a loadavg', () => {
  assert.equal(parseRunnable('0.52 0.58 0.59 3/112 12345\n'), 3);
  assert.equal(parseRunnable('175.42 84.35 45.66 31/1114 15966\n'), 31);
  assert.equal(parseRunnable(''), undefined);
  assert.equal(parseRunnable('0.52 0.58 0.59 x/112 1\n'), undefined);
  fc.assert(fc.property(fc.nat(100_000), fc.nat(100_000), (running, total) => parseRunnable(`1.00 2.00 3.00 ${running}/${total} 42\n`) === running));
});

test('readRunnable reads <root>/proc/loadavg, and says undefined when there is none', () => {
  const root = mkdtempSync(join(tmpdir(), 'loadavg-'));
  assert.equal(readRunnable(root), undefined);
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc', 'loadavg'), '0.00 0.01 0.05 7/200 999\n');
  assert.equal(readRunnable(root), 7);
  assert.ok((readRunnable() ?? 0) >= 1, 'this machine: at least the reader runs');
});

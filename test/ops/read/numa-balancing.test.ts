// /proc/sys/kernel/numa_balancing: a bit mask since 5.18 (1 normal, 2 memory tiering).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numaBalancing } from '../../../src/ops/read/numa-balancing.js';
import { NumapolError } from '../../../src/errors.js';

function rootWith(text: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-nb-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'proc/sys/kernel'), { recursive: true });
  if (text !== undefined) writeFileSync(join(root, 'proc/sys/kernel/numa_balancing'), text);
  return root;
}

test('each value of the switch', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['0\n', 'off', false, false],
    ['1\n', 'normal', true, false],
    ['2\n', 'tiering', false, true],
    ['3\n', 'normal+tiering', true, true],
  ];
  for (const [text, mode, normal, tiering] of cases) {
    const b = numaBalancing({ root: rootWith(text) });
    assert.deepEqual(b, { value: Number(text), mode, normal, tiering });
  }
});

test('a kernel without CONFIG_NUMA_BALANCING has no file: unsupported', () => {
  assert.deepEqual(numaBalancing({ root: rootWith(undefined) }), { value: null, mode: 'unsupported', normal: false, tiering: false });
});

test('text that is not a number is an EPARSE error naming the file', () => {
  assert.throws(
    () => numaBalancing({ root: rootWith('yes\n') }),
    (e: unknown) => e instanceof NumapolError && e.code === 'EPARSE' && e.message.includes('numa_balancing'),
  );
});

test('this host: the value the file holds', () => {
  const path = '/proc/sys/kernel/numa_balancing';
  const b = numaBalancing();
  assert.equal(b.value, existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : null);
});

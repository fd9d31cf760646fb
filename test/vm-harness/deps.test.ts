import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureHostPackages } from '../vm/harness/deps.js';
import { HarnessError } from '../vm/harness/exit-codes.js';

test('without root, missing packages are named with the command that installs them', () => {
  const pkgs = [
    { pkg: 'present-pkg', present: () => true },
    { pkg: 'absent-a', present: () => false },
    { pkg: 'absent-b', present: () => false },
  ];
  assert.throws(() => ensureHostPackages(pkgs, false), (e: unknown) =>
    e instanceof HarnessError && /missing packages: absent-a absent-b; install them as root: apt-get install -y absent-a absent-b/.test(e.message));
});

test('nothing to do when everything is present, root or not', () => {
  assert.doesNotThrow(() => ensureHostPackages([{ pkg: 'x', present: () => true }], false));
});

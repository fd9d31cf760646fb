import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exitStatus, readOutcome } from '../vm/harness/boot.js';
import { EXIT_GUEST_NEVER_RAN, EXIT_GUEST_TIMED_OUT } from '../vm/harness/exit-codes.js';
import { newestKernelPackage } from '../vm/harness/kernel.js';
import { initramfsKey } from '../vm/harness/initramfs.js';

function withDir(f: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-outcome-'));
  try { f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('the command\'s status comes from the job share', () => withDir((dir) => {
  writeFileSync(join(dir, 'started'), 'started\n');
  writeFileSync(join(dir, 'status'), '3\n');
  assert.equal(exitStatus(readOutcome(dir, 0, null)), 3);
}));

test('no status file: the guest never ran (or never finished) the command', () => withDir((dir) => {
  const never = readOutcome(dir, 1, null);
  assert.equal(exitStatus(never), EXIT_GUEST_NEVER_RAN);
  assert.match(never.kind === 'not-run' ? never.reason : '', /never reached the command/);
  writeFileSync(join(dir, 'started'), 'started\n');
  const died = readOutcome(dir, 0, null);
  assert.match(died.kind === 'not-run' ? died.reason : '', /stopped before the command finished/);
  assert.equal(exitStatus({ kind: 'timed-out' }), EXIT_GUEST_TIMED_OUT);
  assert.notEqual(EXIT_GUEST_NEVER_RAN, EXIT_GUEST_TIMED_OUT);
}));

test('the newest plain 6.1 amd64 image is chosen, numerically', () => {
  const names = ['linux-image-6.1.0-9-amd64', 'linux-image-6.1.0-56-cloud-amd64', 'linux-image-6.1.0-56-amd64-unsigned',
    'linux-image-6.1.0-10-amd64', 'linux-image-6.1.0-10-rt-amd64', 'linux-image-amd64', 'linux-image-6.1.0-10-amd64-dbg'];
  assert.equal(newestKernelPackage(names), 'linux-image-6.1.0-10-amd64');
  assert.equal(newestKernelPackage(['linux-image-amd64']), undefined);
});

test('the initramfs key changes with the init script, modules and busybox', () => {
  const k = { release: '6.1.0-1-amd64', order: ['virtio_ring', 'virtio'] };
  const bb = { size: 100, mtimeMs: 1 };
  const key = initramfsKey('init', k, bb);
  assert.equal(initramfsKey('init', k, bb), key);
  assert.notEqual(initramfsKey('init2', k, bb), key);
  assert.notEqual(initramfsKey('init', { ...k, order: ['virtio_ring'] }, bb), key);
  assert.notEqual(initramfsKey('init', k, { size: 101, mtimeMs: 1 }), key);
});

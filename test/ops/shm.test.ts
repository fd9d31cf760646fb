import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shmPolicy, readSysvSegments } from '../../src/ops/shm.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { buildTarget } from '../targets/build.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0];
const first = online[0]!;

function tmpfsFile(bytes: number): { path: string; done: () => void } {
  const dir = mkdtempSync('/dev/shm/numapol-shm-');
  const path = join(dir, 'obj');
  writeFileSync(path, Buffer.alloc(bytes, 0x5a));
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a tmpfs file: default policy, resident pages found without allocating holes', () => {
  const f = tmpfsFile(1 << 20);
  try {
    const r = shmPolicy({ file: f.path });
    assert.equal(r.kind, 'tmpfs');
    assert.equal(r.size, 1 << 20);
    assert.deepEqual(r.policy, [{ offset: 0, length: 1 << 20, policy: 'default' }]);
    assert.equal(r.residentPages, 256);
    assert.equal(r.set, undefined);
  } finally {
    f.done();
  }
});

test('setting a policy on part of a tmpfs file: it lives in the object and shows in runs', () => {
  const f = tmpfsFile(1 << 20);
  try {
    const set = shmPolicy({ file: f.path, policy: `bind:${first}`, offset: 256n << 10n, length: 256n << 10n, move: true });
    assert.equal(set.set, `bind:${first}`);
    assert.equal(set.residentPages, 64);
    assert.deepEqual(set.pagesPerNode, { [first]: 64 });
    // A fresh mapping sees the shared policy: it outlived numapol's mapping.
    const shown = shmPolicy({ file: f.path });
    assert.deepEqual(
      shown.policy.map((p) => [p.offset, p.length, p.policy]),
      [
        [0, 256 << 10, 'default'],
        [256 << 10, 256 << 10, `bind:${first}`],
        [512 << 10, 512 << 10, 'default'],
      ],
    );
  } finally {
    f.done();
  }
});

test("setting `default` really removes an object's shared policy (the kernel skips an mbind equal to the mapping's own)", () => {
  const dir = mkdtempSync('/dev/shm/numapol-shm-');
  const path = join(dir, 'reset');
  try {
    writeFileSync(path, Buffer.alloc(64 << 10));
    shmPolicy({ file: path, policy: `bind:${first}` });
    assert.deepEqual(shmPolicy({ file: path }).policy.map((p) => p.policy), [`bind:${first}`]);
    shmPolicy({ file: path, policy: 'default' });
    assert.deepEqual(shmPolicy({ file: path }).policy.map((p) => p.policy), ['default'], 'a fresh mapping sees no shared policy left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sparse tmpfs file: holes are not filled by looking', () => {
  const dir = mkdtempSync('/dev/shm/numapol-shm-');
  const path = join(dir, 'sparse');
  try {
    writeFileSync(path, Buffer.alloc(4096, 1));
    truncateSync(path, 4 << 20);
    const r = shmPolicy({ file: path });
    assert.equal(r.size, 4 << 20);
    assert.equal(r.residentPages, 1);
    assert.equal(shmPolicy({ file: path }).residentPages, 1, 'still one page after looking');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a System V segment by key and by id; a missing key is a clear error', async () => {
  const key = 0x4e500000 + (process.pid & 0xffff);
  const child = spawn(buildTarget('migrate-shm'), [String(key), '1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^ready .*$/m.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('close', (c) => reject(new Error(`migrate-shm exited ${c}: ${out}`)));
    });
    const shmid = Number(line.split(' ')[2]);
    assert.ok(readSysvSegments().some((s) => s.key === key && s.shmid === shmid && s.size === 1 << 20));
    const byKey = shmPolicy({ shmKey: key, policy: `bind:${first}` });
    assert.equal(byKey.kind, 'sysv');
    assert.equal(byKey.shmid, shmid);
    assert.equal(byKey.residentPages, 256);
    const byId = shmPolicy({ shmid });
    assert.deepEqual(byId.policy.map((p) => p.policy), [`bind:${first}`]);
    assert.throws(() => shmPolicy({ shmKey: key + 1 }), /no System V shared memory segment with key/);
  } finally {
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
  }
});

test('shm needs exactly one object, and --move needs a policy', () => {
  assert.throws(() => shmPolicy({}), /name one object/);
  assert.throws(() => shmPolicy({ file: '/dev/shm/x', shmid: 1 }), /name one object/);
  assert.throws(() => shmPolicy({ file: '/dev/shm/nothing-here', move: true }), /--move needs a POLICY/);
  assert.throws(() => shmPolicy({ file: '/dev/shm/numapol-does-not-exist' }), /does not exist/);
});

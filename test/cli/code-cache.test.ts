// The CLI's V8 code cache (src/cli/code-cache.cts): where it lives, that a command writes and
// then reuses it, and that a cache or directory someone else could have written is not used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheDir } from '../../src/cli/code-cache.cjs';
import { NUMAPOL_BIN } from '../helpers/bin.js';
import { sleeper } from './helpers.js';

function run(cacheDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [NUMAPOL_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NUMAPOL_CODE_CACHE: cacheDir },
  });
}

function caches(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.v8')).sort();
}

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'numapol-cc-')), 'cache');

test('codeCacheDir: NUMAPOL_CODE_CACHE first, then /var/cache for root, else XDG or ~/.cache', () => {
  assert.equal(codeCacheDir({ NUMAPOL_CODE_CACHE: '/x/y' }), '/x/y');
  assert.equal(codeCacheDir({ NUMAPOL_CODE_CACHE: 'off', HOME: '/home/a' }), undefined);
  assert.equal(codeCacheDir({ NUMAPOL_CODE_CACHE: '', HOME: '/home/a' }), undefined);
  if (process.geteuid?.() === 0) {
    assert.equal(codeCacheDir({ HOME: '/home/a' }), '/var/cache/numapol');
  } else {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/home/a' }), '/c/numapol');
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/a' }), '/home/a/.cache/numapol');
    assert.equal(codeCacheDir({}), undefined);
  }
});

test('the first run of a command writes its cache (0600 in a 0700 directory); the next runs use it unchanged', () => {
  const dir = fresh();
  const target = sleeper();
  const pid = String(target.pid);
  const first = run(dir, 'show', pid, '--json');
  assert.equal(first.status, 0, first.stderr);
  const [file, ...more] = caches(dir);
  assert.ok(file !== undefined && file.startsWith('show-') && more.length === 0, `one cache for show: ${caches(dir).join(', ')}`);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const path = join(dir, file);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const before = statSync(path);
  const second = run(dir, 'show', pid, '--json');
  assert.equal(second.status, 0, second.stderr);
  // An accepted cache is not written again (a rejected one would be, with a new inode).
  const after = statSync(path);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
  // Same answer with and without the cache.
  const uncached = run('off', 'show', pid, '--json');
  target.stop();
  assert.equal(uncached.status, 0, uncached.stderr);
  assert.equal(second.stdout, uncached.stdout);
  // Another command gets a cache of its own.
  assert.equal(run(dir, 'hardware', '--json').status, 0);
  assert.deepEqual(caches(dir).map((n) => n.split('-')[0]), ['hardware', 'show']);
});

test('a cache V8 rejects (garbage) is replaced, and the command runs as usual', () => {
  const dir = fresh();
  assert.equal(run(dir, 'hardware').status, 0);
  const [file] = caches(dir);
  const path = join(dir, file!);
  writeFileSync(path, Buffer.alloc(4096, 0x5a));
  const r = run(dir, 'hardware');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.notDeepEqual(readFileSync(path), Buffer.alloc(4096, 0x5a));
});

test('a cache others may write is not used, and a directory others may write gets none', () => {
  const dir = fresh();
  assert.equal(run(dir, 'hardware').status, 0);
  const [file] = caches(dir);
  const path = join(dir, file!);
  // A valid cache, but group-writable: not trusted, so not read, so written anew (new inode).
  const copy = `${path}.copy`;
  copyFileSync(path, copy);
  chmodSync(path, 0o620);
  const ino = statSync(path).ino;
  assert.equal(run(dir, 'hardware').status, 0);
  assert.notEqual(statSync(path).ino, ino);
  assert.equal(statSync(path).mode & 0o777, 0o600);

  const open = join(fresh(), 'open');
  mkdirSync(open, { recursive: true, mode: 0o777 });
  chmodSync(open, 0o777);
  const r = run(open, 'hardware');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(caches(open), []);
});

test('writing a cache removes the caches of other builds', () => {
  const dir = fresh();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stale = 'hardware-v0.0.0-x64-1-1.v8';
  writeFileSync(join(dir, stale), 'old', { mode: 0o600 });
  writeFileSync(join(dir, 'notes.txt'), 'not ours to remove', { mode: 0o600 });
  assert.equal(run(dir, 'hardware').status, 0);
  const left = readdirSync(dir);
  assert.ok(!left.includes(stale), left.join(', '));
  assert.ok(left.includes('notes.txt'));
  assert.equal(caches(dir).length, 1);
});

test('a cache that cannot be written (a file where the directory should be) changes nothing for the user', () => {
  const parent = mkdtempSync(join(tmpdir(), 'numapol-cc-'));
  const notDir = join(parent, 'file');
  writeFileSync(notDir, '');
  const r = run(notDir, 'hardware');
  assert.equal(r.status, 0);
  assert.equal(r.stderr, '');
});

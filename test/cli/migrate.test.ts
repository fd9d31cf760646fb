import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { startWriter } from '../targets/migrate-writer.js';
import { gonePid, numapol, sleeper } from './helpers.js';

const first = (parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0])[0]!;

test('migrate, move and shm are listed in the help', () => {
  const r = numapol(['--help']);
  for (const c of ['migrate', 'move', 'shm']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
});

test('move --dry-run --json: the plan with its fields; text output names the outcomes', async () => {
  const w = await startWriter('anon', 2);
  try {
    const range = `${w.addr.toString(16)}+2m`;
    const j = numapol(['move', String(w.pid), '--range', range, '--to', String(first), '--dry-run', '--json']);
    assert.equal(j.status, 0, j.stderr);
    const data = JSON.parse(j.stdout) as { dryRun: boolean; pages: number; tally: { alreadyThere: number }; segments: { start: string }[] };
    assert.equal(data.dryRun, true);
    assert.equal(data.pages, 512);
    assert.equal(data.tally.alreadyThere, 512);
    assert.equal(data.segments[0]!.start, `0x${w.addr.toString(16)}`);
    const t = numapol(['move', String(w.pid), '--range', range, '--to', String(first), '--batch', '64']);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /already there 512/);
    assert.equal(t.stderr, '', 'no progress bar when stderr is not a terminal');
  } finally {
    w.kill();
  }
});

test('usage errors exit 2; a gone pid exits 1 with one line', () => {
  const s = sleeper();
  try {
    assert.equal(numapol(['move', String(s.pid), '--anon']).status, 2);
    assert.equal(numapol(['migrate', String(s.pid), '0']).status, 2);
    assert.equal(numapol(['move', String(s.pid), '--anon', '--to', '0', '--rate', 'fast']).status, 2);
    const g = numapol(['migrate', String(gonePid()), String(first), String(first)]);
    assert.equal(g.status, 1);
    assert.match(g.stderr, /^numapol: pid \d+ is gone\n$/);
  } finally {
    s.stop();
  }
});

test('migrate --json reports the map and placement', () => {
  const s = sleeper();
  try {
    const r = numapol(['migrate', String(s.pid), 'all', 'all', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as { map: unknown[]; notMoved: number; before: Record<string, number> };
    assert.deepEqual(d.map, []);
    assert.equal(d.notMoved, 0);
    assert.ok(Object.keys(d.before).length >= 1);
  } finally {
    s.stop();
  }
});

test('shm --file sets and shows a tmpfs policy', () => {
  const dir = mkdtempSync('/dev/shm/numapol-cli-');
  try {
    const f = join(dir, 'obj');
    writeFileSync(f, Buffer.alloc(64 << 10, 1));
    const set = numapol(['shm', '--file', f, `bind:${first}`, '--move']);
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, new RegExp(`set policy bind:${first}`));
    const show = numapol(['shm', '--file', f, '--json']);
    const d = JSON.parse(show.stdout) as { policy: { policy: string }[]; residentPages: number };
    assert.deepEqual(d.policy.map((p) => p.policy), [`bind:${first}`]);
    assert.equal(d.residentPages, 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

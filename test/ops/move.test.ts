// Runs on any machine (one node is enough): moves to the node pages are on, dry runs, the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { movePidRange } from '../../src/ops/move.js';
import { movePagesPaced } from '../../src/ops/move-pages.js';
import { segmentsOfRange } from '../../src/ops/address-range.js';
import { readVmas } from '../../src/procfs/vmas.js';
import { pageSize, queryPageNodes } from '../../src/kernel/index.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { NumapolError, ProcessGoneError } from '../../src/errors.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';
import { startWriter } from '../targets/migrate-writer.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';
import { publicPackageRoot } from '../helpers/public-copy.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [0];
const first = online[0]!;
const MAIN = NUMAPOL_BIN;
const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url));

function unusedPid(): number {
  const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let pid = max - 1; pid > 1; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

test('moving a range to the node its pages are on: every page is already there, data intact', async () => {
  const w = await startWriter('anon', 8);
  try {
    const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: first, batchPages: 300 });
    const pages = Number(w.len) / pageSize();
    assert.equal(r.pages, pages);
    assert.equal(r.tally.alreadyThere + r.tally.moved, pages, JSON.stringify(r.tally));
    assert.equal(r.failed, 0);
    assert.equal(r.batchPages, 300);
    assert.equal(r.segments.length, 1);
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

test('a dry run plans from the real placement and moves nothing', async () => {
  const w = await startWriter('anon', 4);
  try {
    const before = queryPageNodes(w.pid, BigUint64Array.from([w.addr]));
    const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: first, dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.bytesMoved, 0);
    assert.equal(r.steps, 0);
    assert.deepEqual(r.flows, [], 'everything is already on the only destination');
    assert.equal(r.tally.alreadyThere, Number(w.len) / pageSize());
    assert.deepEqual(queryPageNodes(w.pid, BigUint64Array.from([w.addr])), before);
  } finally {
    w.kill();
  }
});

test('--from a node the pages are not on selects nothing; --pages bounds the selection', async () => {
  const w = await startWriter('anon', 4);
  try {
    const range = { start: w.addr, end: w.addr + w.len };
    const pages = Number(w.len) / pageSize();
    // Pages on `first` are "already there" for --to first, whatever --from says.
    const r = await movePidRange(w.pid, { range, to: first, from: [first], maxPages: 10 });
    assert.equal(r.tally.alreadyThere, pages);
    assert.equal(r.tally.moved, 0);
  } finally {
    w.kill();
  }
});

test('--vma [heap] and --data resolve against the live process', async () => {
  const w = await startWriter('anon', 2);
  try {
    const heap = await movePidRange(w.pid, { name: '[heap]', to: first, dryRun: true });
    assert.deepEqual(heap.segments.map((s) => s.mapping), ['[heap]']);
    const data = await movePidRange(w.pid, { data: true, to: first, dryRun: true });
    assert.ok(data.segments.some((s) => BigInt(s.start) <= w.addr && w.addr < BigInt(s.end)), 'the writable region is data');
    const text = await movePidRange(w.pid, { text: true, to: first, dryRun: true });
    assert.ok(!text.segments.some((s) => BigInt(s.start) <= w.addr && w.addr < BigInt(s.end)), 'and not text');
  } finally {
    w.kill();
  }
});

test('a range that partly does not exist is refused before anything moves', async () => {
  const w = await startWriter('anon', 2);
  try {
    const vmas = readVmas(w.pid);
    const v = vmas.find((x) => x.start <= w.addr && w.addr < x.end)!;
    // Find the first unmapped address after the region.
    let end = v.end;
    for (const x of vmas) if (x.start === end) end = x.end;
    await assert.rejects(
      movePidRange(w.pid, { range: { start: w.addr, end: end + 0x10000n }, to: first }),
      (e: unknown) => e instanceof NumapolError && e.code === 'ENOMAPPING' && /nothing was moved/.test(e.message),
    );
  } finally {
    w.kill();
  }
});

test('a gone pid is ESRCH (ProcessGoneError)', async () => {
  const pid = unusedPid();
  await assert.rejects(movePidRange(pid, { anon: true, to: first }), (e: unknown) => e instanceof ProcessGoneError && e.code === 'ESRCH');
});

test('a node that does not exist: the CLI check and the kernel ENODEV', async () => {
  const absent = Math.max(...online) + 5;
  const w = await startWriter('anon', 1);
  try {
    await assert.rejects(movePidRange(w.pid, { anon: true, to: absent }), /does not exist/);
    // Past our check, the kernel's own answer comes through as a SyscallError naming move_pages.
    const segs = segmentsOfRange(readVmas(w.pid), { start: w.addr, end: w.addr + w.len }, w.pid, pageSize());
    await assert.rejects(
      movePagesPaced(w.pid, segs, () => absent, pageSize(), { flags: 2 }),
      (e: unknown) => e instanceof SyscallError && e.errnoName === 'ENODEV' && e.syscall === 'move_pages',
    );
  } finally {
    w.kill();
  }
});

test("another user's process without privilege: a clear EPERM message", { skip: process.geteuid?.() !== 0 ? 'needs root to switch to nobody' : false }, async () => {
  const w = await startWriter('anon', 1);
  // uid 65534 runs numapol from a place it can read, wherever the checkout lives.
  const pkgRoot = publicPackageRoot();
  const bin = join(pkgRoot, relative(CHECKOUT, MAIN));
  try {
    for (const args of [['move', String(w.pid), '--anon', '--to', String(first)], ['migrate', String(w.pid), String(first), String(first)]]) {
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`not permitted to move the pages of pid ${w.pid} \\(owned by uid 0, we are uid 65534\\)`));
    }
    // migrate_pages itself, past /proc: the kernel's EPERM.
    const k = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e',
      `import { migratePages } from '${pathToFileURL(join(pkgRoot, 'dist/src/kernel/index.js')).href}';
       try { migratePages(${w.pid}, [${first}], [${first}]); console.log('ok'); } catch (e) { console.log(e.code); }`], { encoding: 'utf8' });
    assert.equal(k.stdout.trim(), 'EPERM', k.stderr);
  } finally {
    w.kill();
  }
});

test('--rebind binds the range in the target (injected mbind) after moving it', async () => {
  const w = await startWriter('anon', 2);
  try {
    const r = await movePidRange(w.pid, { range: { start: w.addr, end: w.addr + w.len }, to: first, rebind: true });
    assert.deepEqual(r.rebind?.errors, []);
    assert.equal(r.rebind?.ranges.length, 1);
    const v = readVmas(w.pid).find((x) => x.start <= w.addr && w.addr < x.end);
    assert.equal(v?.policyText, `bind:${first}`);
    assert.equal(v?.start, w.addr, 'the bound VMA starts at the range');
    assert.match(await w.stop(), /^verify ok/, 'the target kept running correctly through the injection');
  } finally {
    w.kill();
  }
});

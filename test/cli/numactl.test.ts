/**
 * The numactl, numastat and migratepages front ends on this machine: numactl's layouts, messages
 * and exit statuses (the golden comparisons with the real tools run in the 4-node guest:
 * test/vm/numactl-golden.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expandRanges as expand } from '../helpers/expand-ranges.js';
import { lines, numapol, sleeper } from './helpers.js';

const SYS = '/sys/devices/system/node';
const nodeDirs = readdirSync(SYS).filter((d) => /^node\d+$/.test(d)).map((d) => Number(d.slice(4))).sort((a, b) => a - b);
const first = nodeDirs[0]!;

test('numactl -H: numactl\'s layout, read from /sys', () => {
  const r = numapol(['numactl', '-H']);
  assert.equal(r.status, 0, r.stderr);
  const ls = r.stdout.split('\n');
  assert.match(ls[0]!, new RegExp(`^available: ${nodeDirs.length} nodes \\(`));
  for (const n of nodeDirs) {
    const cpus = expand(readFileSync(`${SYS}/node${n}/cpulist`, 'utf8'));
    assert.ok(ls.includes(`node ${n} cpus:${cpus.map((c) => ` ${c}`).join('')}`), `node ${n} cpus`);
    const kib = Number(/MemTotal:\s+(\d+)/.exec(readFileSync(`${SYS}/node${n}/meminfo`, 'utf8'))![1]);
    assert.ok(ls.includes(`node ${n} size: ${Math.floor(kib / 1024)} MB`), `node ${n} size`);
  }
  assert.ok(ls.includes('node distances:'));
  assert.equal(ls.at(-1), '');
});

test('numactl -s reads back what the options before it set', () => {
  const plain = numapol(['numactl', '-s']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^policy: default\npreferred node: current\nphyscpubind: (\d+ )+\ncpubind: (\d+ )+\nnodebind: (\d+ )+\nmembind: (\d+ )+\npreferred: \n$/);
  const bound = numapol(['numactl', '--membind', String(first), '--physcpubind=0', '-s']);
  assert.equal(bound.stdout, `policy: bind\npreferred node: ${first}\nphyscpubind: 0 \ncpubind: ${first} \nnodebind: ${first} \nmembind: ${first} \npreferred: ${first} \n`);
  const il = numapol(['numactl', `--inter=${first}`, '-s']);
  assert.match(il.stdout, new RegExp(`^policy: interleave\\npreferred node: ${first} \\(interleave next\\)\\ninterleavemask: ${first} \\ninterleavenode: ${first}\\n`));
  // Local and flagged policies get no preferred node, not even the line's end (numactl's way).
  assert.match(numapol(['numactl', '-l', '-s']).stdout, /^policy: local\npreferred node: physcpubind: /);
});

test('numactl runs the program in place: same pid, its exit status, its death by signal', () => {
  const r = numapol(['numactl', '-m', String(first), 'sh', '-c', 'echo $$; grep -m1 -o "bind:[0-9]*" /proc/self/numa_maps; exit 5']);
  assert.equal(r.status, 5, r.stderr);
  assert.deepEqual(lines(r.stdout), [String(r.pid), `bind:${first}`]);
  const killed = numapol(['numactl', '--', 'sh', '-c', 'kill -TERM $$']);
  assert.equal(killed.signal, 'SIGTERM');
  const strict = numapol(['numactl', '--strict', 'true']);
  assert.deepEqual([strict.status, strict.stderr], [0, 'numactl: warning. Strict flag for process ignored.\n']);
});

test("numactl's complaints: its words on stderr, its blank line on stdout, its usage, exit 1", () => {
  const conflict = numapol(['numactl', '-m', String(first), '-i', String(first), 'true']);
  assert.equal(conflict.status, 1);
  assert.equal(conflict.stdout, '\n');
  assert.match(conflict.stderr, /^numactl: Conflicting policiesusage: numactl /);
  const bad = numapol(['numactl', '-i', '999', 'true']);
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, '<999> is invalid\n');
  assert.match(bad.stderr, /^libnuma: Warning: node argument 999 is out of range\n\nusage: numactl /);
  const opt = numapol(['numactl', '--p', '0']);
  assert.match(opt.stderr, /^numactl: option '--p' is ambiguous; possibilities: '--preferred' '--preferred-many' '--physcpubind'\nusage: /);
  const missing = numapol(['numactl', 'no-such-program-zz']);
  assert.deepEqual([missing.status, missing.stdout, missing.stderr], [1, '\n', "numactl: execution of `no-such-program-zz': No such file or directory\n"]);
  const order = numapol(['numactl', '-C', '0', '-a', 'true']);
  assert.match(order.stderr, /^numactl: --all\/-a option must be before all cpu\/node specificationsusage/);
  assert.equal(numapol(['numactl']).status, 1);
});

test('numactl --file: creates, sets, touches and dumps the object as numactl does', () => {
  const dir = mkdtempSync('/dev/shm/numapol-numactl-');
  try {
    const f = join(dir, 'obj');
    const r = numapol(['numactl', '--length', '16k', '--file', f, `--interleave=${first}`, '--touch', '--dump', '--dump-nodes']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `0000000000000000-0000000000004000: interleave : ${first} \n0000000000000000-0000000000004000: ${first}\n`);
    // A second look, with an offset: ranges are named by their offset in the file.
    const again = numapol(['numactl', '--offset', '4k', '--length', '8k', '--file', f, '--dump']);
    assert.equal(again.stdout, `0000000000001000-0000000000003000: interleave : ${first} \n`);
    const beyond = numapol(['numactl', '--offset', '8k', '--length', '8k', '--file', f, '-l', '--verify']);
    assert.deepEqual([beyond.status, beyond.stderr], [1, 'numactl: region offset 0x2000 beyond its length 0x2000 at --verify\n']);
    // numactl 2.0.16 maps a file only as long as --length says, even one that exists.
    const unsized = numapol(['numactl', '--file', f, '--dump']);
    assert.deepEqual([unsized.status, unsized.stderr], [1, 'numactl: policy region length not specified before --file\n']);
    const before = numapol(['numactl', '--length', '4k', '--file', f, '--length', '4k']);
    assert.match(before.stderr, /^numactl: --length must be before shared memory specificationusage/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migratepages: silent success, numactl\'s refusals', () => {
  const s = sleeper();
  try {
    for (const [from, to] of [[String(first), String(first)], ['all', 'all']]) {
      const ok = numapol(['migratepages', String(s.pid), from!, to!]);
      assert.deepEqual([ok.status, ok.stdout, ok.stderr], [0, '', '']);
    }
    const bad = numapol(['migratepages', String(s.pid), '0', '999']);
    assert.deepEqual([bad.status, bad.stdout], [1, '<999> is invalid\n']);
    assert.match(numapol(['migratepages', 'x', '0', '0']).stderr, /^usage: migratepages /);
  } finally {
    s.stop();
  }
});

test('numastat front end: the old layout without arguments, -V, and its usage on a bad option', () => {
  const r = numapol(['numastat']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(lines(r.stdout)[0]!, /^ {16}( {11}node\d+)+$/);
  assert.match(numapol(['numastat', '-V']).stdout, /^numastat version: 20130723: numapol \d+\.\d+\.\d+\n$/);
  const bad = numapol(['numastat', '-x']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^numastat: invalid option -- 'x'\nUsage: numastat /);
  const none = numapol(['numastat', '-p', 'no-such-process-zzz']);
  assert.equal(none.status, 0);
  assert.match(none.stdout, /^Found no processes containing pattern: "no-such-process-zzz"\n\nPer-node numastat info \(in MBs\):\n/);
});

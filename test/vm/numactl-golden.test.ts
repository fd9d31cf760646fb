/**
 * Golden tests of the drop-in front ends in the 4-node guest: each case runs the real numactl,
 * numastat or migratepages (Debian 12's 2.0.16) and numapol's shim for it, by name on PATH as a
 * script would, and compares stdout, stderr and the exit status (or signal). Numbers that change
 * between two runs are masked keeping column edges (golden/compare.ts), as are addresses and the
 * usage text numapol words its own way. Shared memory cases start from the same state each time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { expandRanges as expand } from '../helpers/expand-ranges.js';
import { asIs, collapse, keepWidths, masked, numapolTools, realTools, runTool, type Mask, type Tool } from './golden/compare.js';

const nodes = expand(readFileSync('/sys/devices/system/node/has_memory', 'utf8'));
const have = spawnSync('sh', ['-c', 'command -v numactl && command -v numastat && command -v migratepages']).status === 0;
const skip = (nodes.length < 4 && `needs 4 nodes with memory, this machine has ${nodes.length}`) || (!have && 'numactl is not installed');

interface Case {
  readonly tool: Tool;
  readonly args: readonly string[];
  readonly mask?: Mask;
  readonly env?: Readonly<Record<string, string>>;
  /** Run before each of the two runs: both start from the same state. */
  readonly before?: () => void;
}

let dirs: { real: string; numapol: string } | undefined;

/** Where two texts first differ, a few lines of each. */
function firstDifference(real: string, mine: string): string {
  const a = real.split('\n');
  const b = mine.split('\n');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `line ${i + 1}:\n  numactl: ${JSON.stringify(a.slice(i, i + 3))}\n  numapol: ${JSON.stringify(b.slice(i, i + 3))}`;
}

/** Runs a case both ways; the differences found, as text (empty when none). */
function compare(c: Case): string[] {
  dirs ??= { real: realTools(), numapol: numapolTools() };
  const label = `${c.env ? `${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')} ` : ''}${c.tool} ${c.args.map((a) => (/^[\w,.=/+:-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
  const mask = c.mask ?? asIs;
  c.before?.();
  const real = masked(c.tool, runTool(dirs.real, c.tool, c.args, c.env), mask);
  c.before?.();
  const mine = masked(c.tool, runTool(dirs.numapol, c.tool, c.args, c.env), mask);
  const out: string[] = [];
  if (mine.status !== real.status || mine.signal !== real.signal) out.push(`${label}: exit ${real.status ?? real.signal} from numactl, ${mine.status ?? mine.signal} from numapol`);
  if (mine.stdout !== real.stdout) out.push(`${label}: stdout differs at ${firstDifference(real.stdout, mine.stdout)}`);
  if (mine.stderr !== real.stderr) out.push(`${label}: stderr differs at ${firstDifference(real.stderr, mine.stderr)}`);
  return out;
}

/** Every case compared; one failure listing all the differences. */
function check(cases: readonly Case[]): void {
  const diffs = cases.flatMap(compare);
  assert.equal(diffs.length, 0, `${diffs.length} differences:\n${diffs.join('\n')}`);
}

const each = (tool: Tool, list: readonly (readonly string[])[], extra: Omit<Case, 'tool' | 'args'> = {}): Case[] => list.map((args) => ({ tool, args, ...extra }));

const MB = collapse(/\d+(?= MB)/g);
const ADDRESSES = collapse(/(?<=verify )[0-9a-f]+(?=\()/g);
// The kernel starts a shared object's interleaving at a node picked by its inode number, which
// differs between two freshly made objects: --dump-nodes of interleaved objects is compared
// without its node numbers.
const INTERLEAVED_NODES: Mask = (t) => ADDRESSES(t).replace(/^([0-9a-f]{16}-[0-9a-f]{16}: )\d+$/gm, '$1#').replace(/(interleave node \d+, got )\d+/g, '$1#');

test('numactl -H and -s, after every kind of policy and binding', { skip }, () => {
  check([...each('numactl', [['-H'], ['--hardware'], ['--hard']], { mask: MB }), ...each('numactl', [
    ['-s'], ['--show'], ['-m', '0-1', '-s'], ['-i', '0-2', '-s'], ['-P', '1-2', '-s'], ['-p', '2', '-s'],
    ['-b', '-m', '1,2', '-s'], ['-N', '1', '-s'], ['-C', '2', '-s'], ['-a', '-N', '3', '-s'], ['-i', '!1', '-s'],
    ['-m', '+1-2', '-s'], ['-i', 'all', '-s'], ['--inter=all', '-s'], ['--membind=all', '-s'], ['-l', '-s'],
    ['-N', '0', '-C', '1', '-s'], ['--cpubind=2', '-s'], ['-c', '3', '-s'], ['-i', '0x5', '-s'],
    ['-i', '1', '-N', 'same', '-s'], ['-C', '!0', '-s'], ['-C', '+1-2', '-s'], ['-a', '-C', 'all', '-s'],
    ['-P', '0,2', '-s'], ['--preferred', '3', '--cpunodebind', '3', '-s'], ['-s', '--xyz'],
  ])]);
});

test('numactl runs the program in place: its policy, CPUs, exit status and death by signal', { skip }, () => {
  // The policy of the program's first mapping, and its CPUs.
  const report = "head -1 /proc/self/numa_maps | sed -E 's/^[0-9a-f]+ //; s/ (file|anon|heap|stack)[= ].*$//'; grep Cpus_allowed_list /proc/self/status";
  check(each('numactl', [
    ['-m', '1', 'sh', '-c', `${report}; exit 3`],
    ['-i', 'all', '-C', '0-1', '--', 'sh', '-c', report],
    ['--preferred=2', '-N', '3', 'sh', '-c', report],
    ['-P', '1,3', 'sh', '-c', report],
    ['sh', '-c', 'kill -TERM $$'],
    ['--strict', 'true'],
    ['-l', '--', 'true'],
    ['nosuch-program'],
    ['/no/such/dir/x'],
  ]));
});

test('numactl refuses what numactl refuses, with its messages and status', { skip }, () => {
  check(each('numactl', [
    [], ['-m', '0', '-i', '0', 'true'], ['-i', '7', 'true'], ['-i', '1x', 'true'], ['-i', '0-', 'true'], ['-C', '9', 'true'],
    ['-C', 'x', 'true'], ['-p', '0-1', 'true'], ['-p', 'all', 'true'], ['--xyz'], ['--xyz=3'], ['-x'], ['-h'], ['--help'],
    ['--p', '0'], ['--s'], ['--show=1'], ['-i'], ['--interleave'], ['-T'], ['--touch'], ['-V'], ['-d'], ['-D'],
    ['--length', '1m', 'true'], ['--offset', '1m', 'true'], ['--huge', 'true'], ['--shmmode', '0644', 'true'],
    ['--shmmode', '9', 'true'], ['--shmid', 'x', 'true'], ['-l', '-H'], ['-m', '0', '-b', 'true'], ['-C', '1', '-a', 'true'],
    ['-i', 'same', 'true'], ['--length', '1m', '-C', '0', 'true'], ['-i', '010', 'true'], ['-N', '4', 'true'],
    ['-m', '!0-3', 'true'], ['-P', '', 'true'], ['-i', '3-1', '-s'], ['-C', '0,7', 'true'],
  ]));
});

const KEY = '/tmp/numapol-golden-key';
const FILE = '/dev/shm/numapol-golden-file';

function fresh(): void {
  rmSync(KEY, { force: true });
  rmSync(FILE, { force: true });
  spawnSync('ipcrm', ['-a']);
}

function withSegment(): void {
  fresh();
  const r = spawnSync('/usr/bin/numactl', ['--length=4m', `--shm=${KEY}`, '--interleave=0,1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('numactl --shm and --file: create, set, touch, dump, verify, as numactl does', { skip }, () => {
  const cases: (readonly string[])[] = [
    ['--length=4m', `--shm=${KEY}`, '--interleave=0,1', '--dump', '--dump-nodes'],
    ['--length', '2m', '--file', FILE, '--preferred=1', '--dump'],
    ['--length', '2m', '--file', FILE, '-l', '--touch', '--dump', '--dump-nodes'],
    ['--huge', '--length=4m', `--shm=${KEY}`, '--interleave=0,1'],
    ['--offset=2m', '--length=2m', `--shm=${KEY}`, '--strict', '--interleave=0,1', '--verify', '--dump'],
    ['--offset', '2m', '--length', '4m', '--file', FILE, '-i', '1-2', '--touch', '--dump-nodes'],
    ['--length', '1m', '--shmid', '5', '--shmmode', '0640', `--shm=${KEY}`, '-m', '3', '--dump'],
    ['--length', '64k', '--file', FILE, '-P', '1,3', '--dump'],
    ['--length', '64k', '--file', FILE, '-m', '0', '-i', '1'],
    ['--length', '64k', '--file', FILE, '-m', '3', 'true'],
    ['--file', FILE, '--dump'],
    ['--length', '64k', `--shm=${KEY}`, '-N', '0', '-l', '--verify'],
    ['-C', '0', `--shm=${KEY}`],
    ['--length', '3000', `--shm=${KEY}`, '-l'],
    ['--length', '64k', '--file', FILE, '--touch', '--verify'],
    ['--length', '64k', '--file', FILE, '-i', '0-3', '--touch', '--verify', '--dump-nodes'],
  ];
  const existing = [[`--shm=${KEY}`, '--dump'], ['--length=4m', `--shm=${KEY}`, '--membind=2', '--verify', '--dump'], [`--shm=${KEY}`, '--offset', '1m']];
  try {
    check([...each('numactl', cases, { before: fresh, mask: INTERLEAVED_NODES }), ...each('numactl', existing, { before: withSegment, mask: INTERLEAVED_NODES })]);
  } finally {
    fresh();
  }
});

function sleeper(args: string[]): ChildProcess {
  return spawn('/usr/bin/numactl', ['-i', 'all', 'sleep', ...args], { stdio: 'ignore' });
}

test('numastat: its layouts, options, NUMASTAT_WIDTH folding and messages', { skip }, () => {
  const a = sleeper(['600']);
  const b = sleeper(['601']);
  try {
    const A = String(a.pid);
    const B = String(b.pid);
    const version = (t: string): string => keepWidths(t.replace(/(version: \d+: ).*/, '$1…'));
    // Not compared: numastat -m with -z or -s, whose rows depend on meminfo's values, and those
    // count the measuring process's own memory (node's is larger than numastat's).
    check([...each('numastat', [
      [], ['-n'], ['-m'], ['-c'], ['-cm'], ['-c', '-n', '-z'], ['-z'], ['-s'], ['-s2', '-c'], ['-s9', '-n'],
      ['-x'], ['--help'], ['--hel'], ['-?'], ['-p'], ['--'], ['-V'],
      ['-p', A], ['-p', A, '-c'], ['-v', '-p', A, '-p', B], ['-p', A, '-p', B], ['-p', A, '-p', B, '-c', '-s'], ['-p', A, '-p', B, '-s'], [A, B, '-z'],
      ['-p', 'sleep 60'], ['-p', 'no-such-process-zzz'], ['-p', 'no-such-process-zzz', '-m'], ['-p', '999999'],
      ['-p', '999999', '-p', A], ['-p', A, '-p', '999999'], ['-p', A, '-m', '-n'], ['-p', A, '-s1', '-p', B, '-v'],
    ], { mask: version }),
    { tool: 'numastat', args: [], env: { NUMASTAT_WIDTH: '40' }, mask: keepWidths },
    { tool: 'numastat', args: ['-n'], env: { NUMASTAT_WIDTH: '60' }, mask: keepWidths },
    { tool: 'numastat', args: ['-cm'], env: { NUMASTAT_WIDTH: '100' }, mask: keepWidths },
    { tool: 'numastat', args: ['-p', A], env: { NUMASTAT_WIDTH: '20' }, mask: keepWidths },
    { tool: 'numastat', args: ['-n'], env: { NUMASTAT_WIDTH: 'x' }, mask: keepWidths }]);
  } finally {
    a.kill('SIGKILL');
    b.kill('SIGKILL');
  }
});

test('migratepages: its syntax, messages and exit statuses', { skip }, () => {
  const a = sleeper(['602']);
  try {
    const A = String(a.pid);
    check(each('migratepages', [
      [], ['1'], [A, '0', '0'], [A, '0', '1'], [A, 'all', 'all'], [A, '0,1', '2-3'], [A, '0', '7'], [A, 'x', '0'],
      ['x', '0', '0'], ['999999', '0', '0'], ['-h'], ['--h'], ['--help'], ['--x'], ['-x'], [A, '0', '0', '-h'], [A, '!0', '3'],
      [`0x${Number(A).toString(16)}`, '1', '2'],
    ]));
  } finally {
    a.kill('SIGKILL');
  }
});

test('a program run through the numactl shim keeps its pid ($!), policy and CPUs', { skip }, () => {
  dirs ??= { real: realTools(), numapol: numapolTools() };
  const script = 'numactl -m 2 -C 3 sh -c \'echo $$; grep -m1 -o "bind:[0-9]*" /proc/self/numa_maps; grep Cpus_allowed_list /proc/self/status\' & echo "bg $!"; wait';
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${dirs.numapol}:${process.env['PATH'] ?? ''}` } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const bg = lines.find((l) => l.startsWith('bg '))!.slice(3);
  const rest = lines.filter((l) => !l.startsWith('bg '));
  assert.deepEqual(rest, [bg, 'bind:2', 'Cpus_allowed_list:\t3']);
});

/**
 * `npm run bench -- faults [kills=N]`: numapol SIGKILLed at random instants while it works on a
 * 300-thread target (8 computing, the rest blocked in futex and read, a few sleeping, signals at
 * 1 kHz, one thread that blocks every signal). Counts the kills, the target's deaths, and the
 * target's own checks (workload.c: EINTR or 512..516 leaked to a syscall, a sleep cut short, a
 * computation whose result changed, a lost signal), and the time it took.
 *
 * Two ways to kill:
 * - engine: the operation runs in a child (test/inject/fault-child.js) that arms a POSIX timer
 *   delivering SIGKILL to itself at a random instant within the operation's length: anywhere
 *   in it, between any two system calls.
 * - cli: the real `numapol` command, killed by this process at a random instant: for commands
 *   that stop the process, a random delay after the target shows a tracer (so the kill lands
 *   mid-operation, not in Node's start-up); for move and migrate (no ptrace), a random delay
 *   within the command's length.
 *
 * The first operation on a process makes its park region (the one call made on its own, once
 * per process: docs/injection.md); each group of kills starts on a fresh target after that
 * first operation has run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NUMAPOL_BIN } from '../test/helpers/bin.js';
import { Target } from '../test/targets/target.js';
import { median, type BenchFigure } from './report.js';
import { exited, tracerOf } from '../test/helpers/proc-state.js';

const CHILD = fileURLToPath(new URL('../test/inject/fault-child.js', import.meta.url));
/**
 * About 300 threads. The computing ones run at nice 10: at nice 0 they would starve every Node
 * start-up (each kill needs a fresh numapol) on a 2-core machine; how a saturated machine
 * delays an operation is measured apart (`bench inject`, the saturated ratio).
 */
const TARGET = ['busy=8', 'futex=220', 'read=60', 'sleep=4', 'signals=1', 'rtsig=1', 'blockall=1'];
const TARGET_NICE = 10;

interface Group {
  readonly name: string;
  /** Share of the kills. */
  readonly share: number;
  readonly engine?: 'all' | 'one';
  readonly cli?: (pid: number, i: number) => string[];
  /** The command stops the process (its kills are aimed at the stop). */
  readonly traces: boolean;
}

const GROUPS: readonly Group[] = [
  { name: 'set, every thread (engine, timer kill)', share: 0.3, engine: 'all', traces: true },
  { name: 'set, one thread (engine, timer kill)', share: 0.1, engine: 'one', traces: true },
  { name: 'numapol set PID POLICY', share: 0.2, cli: (pid, i) => ['set', String(pid), i % 2 ? 'default' : 'bind=0'], traces: true },
  { name: 'numapol set PID POLICY --threads main', share: 0.1, cli: (pid, i) => ['set', String(pid), i % 2 ? 'default' : 'bind=0', '--threads', 'main'], traces: true },
  { name: 'numapol set PID POLICY --vma [heap] --move', share: 0.1, cli: (pid, i) => ['set', String(pid), i % 2 ? 'interleave=0' : 'bind=0', '--vma', '[heap]', '--move'], traces: true },
  { name: 'numapol move PID --anon --to 0', share: 0.1, cli: (pid) => ['move', String(pid), '--anon', '--to', '0'], traces: false },
  { name: 'numapol migrate PID 0 0', share: 0.1, cli: (pid) => ['migrate', String(pid), '0', '0'], traces: false },
];

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function waitExit(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((r) => c.once('exit', () => r()));
}

/** Every thread of the target is untraced: what the kernel leaves after the tracer's death. */
function untraced(pid: number): boolean {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (!/^TracerPid:\s+0$/m.test(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))) return false;
    } catch {
      // exited meanwhile
    }
  }
  return true;
}

interface Tally {
  kills: number;
  midOperation: number;
  finished: number;
  deaths: number;
  leftTraced: number;
  badChecks: string[];
}

/** The length of one operation of `g` on `pid`, in ms (median of 3), and whether it works at all. */
function calibrate(g: Group, pid: number): number {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    if (g.engine !== undefined) {
      const r = spawnSync(process.execPath, [CHILD, String(pid), g.engine, 'none', '0'], { encoding: 'utf8' });
      const m = /^ms ([\d.]+)$/m.exec(r.stdout);
      if (r.status !== 0 || m === null) throw new Error(`${g.name}: ${r.stderr}`);
      ms.push(Number(m[1]));
    } else {
      const r = spawnSync(process.execPath, [NUMAPOL_BIN, ...g.cli!(pid, i), ...(g.traces ? ['--json'] : [])], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${g.name}: ${r.stderr}`);
      // A command that stops the process: how long it stays stopped (kills are aimed there).
      const stopped = g.traces ? (JSON.parse(r.stdout) as { stop?: { stoppedMs?: number } }).stop?.stoppedMs : undefined;
      ms.push(stopped ?? performance.now() - t0);
    }
  }
  return median(ms);
}

async function killOnce(g: Group, pid: number, i: number, lengthMs: number, tally: Tally): Promise<void> {
  tally.kills++;
  if (g.engine !== undefined) {
    const us = Math.round(lengthMs * 1.2 * 1000);
    const c = spawn(process.execPath, [CHILD, String(pid), g.engine, 'timer', String(us)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitExit(c);
    if (c.signalCode === 'SIGKILL') tally.midOperation++;
    else if (/^done$/m.test(out)) tally.finished++;
    return;
  }
  const c = spawn(process.execPath, [NUMAPOL_BIN, ...g.cli!(pid, i)], { stdio: 'ignore' });
  if (g.traces) {
    // Until the command has started stopping the target (Node's start-up comes first).
    const limit = performance.now() + 10_000;
    while (tracerOf(pid) !== c.pid && !exited(c) && performance.now() < limit);
    spin(Math.random() * lengthMs * 1.2);
  } else {
    spin(Math.random() * lengthMs);
  }
  const mid = g.traces ? tracerOf(pid) === c.pid : !exited(c);
  c.kill('SIGKILL');
  await waitExit(c);
  if (c.signalCode === 'SIGKILL' && mid) tally.midOperation++;
  else tally.finished++;
}

export async function benchFaults(kills = 1000): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const total: Tally = { kills: 0, midOperation: 0, finished: 0, deaths: 0, leftTraced: 0, badChecks: [] };
  const t0 = performance.now();
  for (const g of GROUPS) {
    const n = Math.max(1, Math.round(kills * g.share));
    const t = await Target.start(TARGET);
    spawnSync('renice', ['-n', String(TARGET_NICE), '-p', ...readdirSync(`/proc/${t.pid}/task`)], { stdio: 'ignore' });
    const tally: Tally = { kills: 0, midOperation: 0, finished: 0, deaths: 0, leftTraced: 0, badChecks: [] };
    const g0 = performance.now();
    try {
      // The first operation makes the park region; then how long one operation takes.
      const lengthMs = calibrate(g, t.pid);
      for (let i = 0; i < n; i++) {
        await killOnce(g, t.pid, i, lengthMs, tally);
        if (!t.alive()) {
          tally.deaths++;
          break;
        }
        if (!untraced(t.pid)) tally.leftTraced++;
      }
      if (t.alive()) {
        const { counters } = await t.finish();
        for (const k of ['surprises', 'short_sleeps', 'busy_bad', 'usr2_lost']) {
          if ((counters[k] ?? 0) !== 0) tally.badChecks.push(`${k}=${counters[k]}`);
        }
        if (counters.usr2_sent !== counters.usr2_handled) tally.badChecks.push(`usr2 sent ${counters.usr2_sent} handled ${counters.usr2_handled}`);
      }
    } finally {
      t.kill();
    }
    const s = (performance.now() - g0) / 1000;
    figures.push({
      name: `${g.name}: ${tally.kills} kills (${tally.midOperation} mid-operation, ${tally.finished} after it ended)`,
      value: tally.deaths,
      unit: 'target deaths',
      note: `${tally.leftTraced} left traced, target checks ${tally.badChecks.length === 0 ? 'clean' : tally.badChecks.join(' ')}, ${s.toFixed(0)} s`,
    });
    total.kills += tally.kills;
    total.midOperation += tally.midOperation;
    total.finished += tally.finished;
    total.deaths += tally.deaths;
    total.leftTraced += tally.leftTraced;
    total.badChecks.push(...tally.badChecks);
  }
  figures.push({
    name: `all: ${total.kills} kills of numapol (${total.midOperation} mid-operation) on a ${TARGET.join(' ')} target`,
    value: total.deaths,
    unit: 'target deaths',
    goal: '0 deaths, clean checks',
    met: total.deaths === 0 && total.badChecks.length === 0 && total.leftTraced === 0,
    note: `${((performance.now() - t0) / 1000).toFixed(0)} s`,
  });
  return figures;
}

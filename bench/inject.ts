/**
 * Changing a running process's policy: numapol's setProcessPolicy against gdb doing the same
 * (`thread apply all call (long)syscall(238, ...)`), on the same target in the same run.
 * Figures: a 1,000-thread target (total time, time the whole process is stopped, and the whole
 * `numapol set` command as a user runs it) and one thread (the verified `set`, and the one
 * injected call gdb's `call` makes).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { withStoppedProcess } from '../src/inject/index.js';
import { setProcessPolicy } from '../src/ops/set-policy.js';
import { buildTarget } from '../test/targets/build.js';
import { Target } from '../test/targets/target.js';
import { median, type BenchFigure } from './report.js';
import { NUMAPOL_BIN } from '../test/helpers/bin.js';

const SET_MEMPOLICY_X86_64 = 238;
const CLI = NUMAPOL_BIN;

function gdbMs(pid: number, all: boolean): number {
  // MPOL_DEFAULT with no nodemask: the same call numapol makes for `default`.
  const call = `call (long)syscall(${SET_MEMPOLICY_X86_64},0,0,0)`;
  const args = ['-p', String(pid), '-batch', '-nx', '-ex', 'set scheduler-locking on', '-ex', all ? `thread apply all ${call}` : call];
  const t0 = performance.now();
  const r = spawnSync('gdb', args, { encoding: 'utf8', timeout: 300_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !/\$\d+ = 0/.test(r.stdout)) throw new Error(`gdb failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  return ms;
}

/** Rounds of the one-thread comparison (numapol's calls, then one gdb call). */
const ONE_THREAD_ROUNDS = 5;

/** Calls made before a figure is measured: the first ones pay for loading and lazy compilation. */
const WARM_UP = 3;

/**
 * Calls made on the one-thread target before its warm figure. V8 optimizes a function that runs
 * once per call only once it has run some 1,000 to 2,500 times (seen with --trace-opt: the
 * engine's entry points are optimized between calls 1,000 and 2,500), and a call takes ~150 µs
 * once they all are against ~300 µs over the first hundred. A long-lived caller such as a
 * daemon is past this within its first second of work; a one-shot caller never gets there.
 */
const ENGINE_WARM_UP = 3000;

/** What numapolRuns measured: its first call, and every call after its warm-up. */
interface Runs {
  firstMs: number;
  totalMs: number[];
  stoppedMs: number[];
  n: number;
}

/**
 * `runs` calls after `warmUp` others. The first call of a process runs cold (V8 has not
 * compiled the engine's hot paths yet: what a one-shot CLI call pays) and is reported apart;
 * the median of the measured ones is the steady state of a long-lived caller such as a daemon.
 */
function numapolRuns(pid: number, runs: number, threads: 'all' | 'main', verify = true, warmUp = WARM_UP): Runs {
  const out: Runs = { firstMs: NaN, totalMs: [], stoppedMs: [], n: 0 };
  for (let i = 0; i < warmUp + runs; i++) {
    const t0 = performance.now();
    const r = setProcessPolicy(pid, i % 2 ? 'default' : 'bind=0', { threads, verify });
    const ms = performance.now() - t0;
    out.n = r.threads.length;
    if (i === 0) out.firstMs = ms;
    if (i < warmUp) continue;
    out.totalMs.push(ms);
    out.stoppedMs.push(r.stop?.stoppedMs ?? NaN);
  }
  return out;
}

/** Rounds of the 1,000-thread comparison: numapol's calls, then one `thread apply all` of gdb. */
const MANY_THREAD_ROUNDS = 3;
/** numapol's calls per round of the 1,000-thread comparison. */
const MANY_THREAD_CALLS = 5;

/**
 * gdb's job exactly: stop the process, run set_mempolicy(MPOL_DEFAULT, NULL, 0) in the main
 * thread, let it go. The times of `runs` calls after WARM_UP, in µs.
 */
function oneCallUs(pid: number, runs: number): number[] {
  const us: number[] = [];
  for (let i = 0; i < WARM_UP + runs; i++) {
    const t0 = performance.now();
    const r = withStoppedProcess(pid, {}, (s) => s.remoteSyscall(pid, 'set_mempolicy', [0, 0, 0]));
    const t = (performance.now() - t0) * 1000;
    if (!r.ok) throw new Error(`set_mempolicy failed in the target: ${r.errnoName}`);
    if (i >= WARM_UP) us.push(t);
  }
  return us;
}

/** bench/ in the source tree (this file runs from dist/bench/). */
const BENCH_SOURCES = fileURLToPath(new URL('../../bench/', import.meta.url));

/**
 * The same system calls as oneCallUs, made by a C program (bench/ptrace-floor.c): what this
 * machine's kernel and hypervisor cost without numapol's runtime and checks. With `park`, the
 * system calls of the held protocol for every thread instead (three wake-ups per thread).
 * Median of `runs`, in µs.
 */
function floorUs(pid: number, runs: number, mode: 'one' | 'park' = 'one'): number {
  const r = spawnSync(buildTarget('ptrace-floor', BENCH_SOURCES), [String(pid), String(runs), ...(mode === 'park' ? ['park'] : [])], { encoding: 'utf8' });
  const m = /^([\d.]+) ([\d.]+)$/m.exec(r.stdout);
  if (r.status !== 0 || m === null) throw new Error(`ptrace-floor ${mode} failed (${r.status}): ${r.stderr}`);
  return Number(m[1]);
}

/** The whole command, Node's start-up included: what an administrator waits for. */
function cliMs(...args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`numapol ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** Rounds of the saturated comparison, and operations on each target per round. */
const SATURATED_ROUNDS = 4;
const SATURATED_CALLS = 5;

/**
 * A saturated machine: a 300-thread target with 30 computing threads on this machine's cores,
 * against the same target without them (its twin, whose threads only block). The twins are
 * measured in alternating rounds, the computing one SIGSTOPped while its twin is measured, so
 * that whatever else the machine runs weighs on both. The figure is the time the process stays
 * stopped (`stop.stoppedMs`), with numapol's scheduling boost (boost.ts) and without it.
 */
async function benchSaturated(): Promise<BenchFigure[]> {
  const busy = await Target.start(['busy=30', 'futex=240', 'read=28']);
  const idle = await Target.start(['futex=270', 'read=28']);
  const stopped = new Map<string, number[]>();
  let how = '';
  try {
    for (let round = 0; round < SATURATED_ROUNDS; round++) {
      for (const boost of [true, false]) {
        for (const [name, t] of [['idle', idle], ['busy', busy]] as const) {
          process.kill(busy.pid, name === 'idle' ? 'SIGSTOP' : 'SIGCONT');
          await new Promise((r) => setTimeout(r, 50));
          for (let i = 0; i < SATURATED_CALLS; i++) {
            const r = setProcessPolicy(t.pid, i % 2 ? 'default' : 'bind=0', { boost });
            const key = `${name} ${boost}`;
            stopped.set(key, [...(stopped.get(key) ?? []), r.stop?.stoppedMs ?? NaN]);
            if (boost) how = r.stop?.scheduling ?? how;
          }
        }
      }
    }
  } finally {
    process.kill(busy.pid, 'SIGCONT');
    busy.kill();
    idle.kill();
  }
  const m = (k: string): number => median(stopped.get(k) ?? [NaN]);
  const ratio = m('busy true') / m('idle true');
  return [
    { name: `300 threads, 30 of them computing on ${os.availableParallelism()} cores: the process stopped, median of ${SATURATED_ROUNDS * SATURATED_CALLS} (scheduling ${how})`, value: m('busy true'), unit: 'ms', ratio, reference: `the same with no computing thread (${m('idle true').toFixed(1)} ms, in alternating rounds)`, goal: '<= 2x', met: ratio <= 2 },
    { name: '  the same without raising numapol\'s priority', value: m('busy false'), unit: 'ms', ratio: m('busy false') / m('idle false'), reference: `the same with no computing thread (${m('idle false').toFixed(1)} ms)` },
  ];
}

export async function benchInject(): Promise<BenchFigure[]> {
  if (process.arch !== 'x64') return [{ name: 'inject benchmarks', value: 0, unit: '', note: 'x86_64 only (the gdb reference calls syscall 238)' }];
  const figures: BenchFigure[] = [];
  const big = await Target.start(['futex=998']);
  try {
    // numapol's calls and gdb's alternate in rounds, as for one thread below: this machine's
    // speed drifts by 1.5x within a run, and a lone gdb run could land in a fast or slow phase.
    // The warm-up calls alone: the first of them is the cold call.
    const full: Runs = numapolRuns(big.pid, 0, 'all');
    const gdbs: number[] = [];
    for (let round = 0; round < MANY_THREAD_ROUNDS; round++) {
      const r = numapolRuns(big.pid, MANY_THREAD_CALLS, 'all', true, 0);
      full.totalMs.push(...r.totalMs);
      full.stoppedMs.push(...r.stoppedMs);
      full.n = r.n;
      gdbs.push(gdbMs(big.pid, true));
    }
    const lean = numapolRuns(big.pid, 9, 'all', false);
    const parkFloor = floorUs(big.pid, 21, 'park') / 1000;
    const cli = median([1, 2, 3, 4, 5].map((i) => cliMs('set', String(big.pid), i % 2 ? 'default' : 'bind=0')));
    // What gdb's thread apply all is also the way to learn: every thread's policy.
    const show = median([1, 2, 3, 4, 5].map(() => cliMs('show', String(big.pid))));
    const exact = median([1, 2, 3, 4, 5].map(() => cliMs('show', String(big.pid), '--exact')));
    const gdb = median(gdbs);
    const total = median(full.totalMs);
    const stopped = median(full.stoppedMs);
    const calls = full.totalMs.length;
    figures.push(
      { name: `set all ${full.n} threads (read before, set, read back), median of ${calls} in ${MANY_THREAD_ROUNDS} rounds after ${WARM_UP} warm-up calls`, value: total, unit: 'ms', goal: '< 100 ms', met: total < 100, ratio: total / gdb, reference: `gdb thread apply all call (median of ${gdbs.length}, one per round: ${gdb.toFixed(0)} ms)` },
      { name: `  whole process stopped`, value: stopped, unit: 'ms', note: 'C prototype: 101-114 ms for 1,008 threads' },
      { name: `  speedup over gdb`, value: gdb / total, unit: 'x', goal: '>= 20x', met: gdb / total >= 20 },
      { name: `  slowest of the ${calls} calls`, value: Math.max(...full.totalMs), unit: 'ms', ratio: Math.max(...full.totalMs) / Math.min(...gdbs), reference: 'the fastest gdb run', note: `${(Math.min(...gdbs) / Math.max(...full.totalMs)).toFixed(1)}x faster than gdb at its fastest` },
      { name: `  first call in this process (cold JIT)`, value: full.firstMs, unit: 'ms', ratio: full.firstMs / gdb, reference: 'gdb', note: `${(gdb / full.firstMs).toFixed(1)}x faster than gdb` },
      { name: `  the held protocol's system calls alone in C (bench/ptrace-floor.c park: seize, park, restore, detach), median of 21`, value: parkFloor, unit: 'ms', ratio: total / parkFloor, reference: 'numapol\'s set above over this floor', note: 'three wake-ups per thread: what this machine allows; the rest of numapol\'s time is its own per-thread work' },
      { name: `set all ${lean.n} threads without read-back, median of 9`, value: median(lean.totalMs), unit: 'ms', ratio: median(lean.totalMs) / gdb, reference: 'gdb', note: `stopped ${median(lean.stoppedMs).toFixed(1)} ms` },
      { name: `the whole command: numapol set PID POLICY (Node start-up included), median of 5`, value: cli, unit: 'ms', ratio: cli / gdb, reference: 'gdb', note: `${(gdb / cli).toFixed(1)}x faster than gdb` },
      { name: `numapol show PID: every thread's policy (from its numa_maps) and pages per node, median of 5`, value: show, unit: 'ms', ratio: show / gdb, reference: 'gdb', note: `${(gdb / show).toFixed(1)}x faster than gdb` },
      { name: `numapol show PID --exact: every thread's policy from an injected get_mempolicy, median of 5`, value: exact, unit: 'ms', ratio: exact / gdb, reference: 'gdb', note: `${(gdb / exact).toFixed(1)}x faster than gdb` },
    );
  } finally {
    big.kill();
  }
  figures.push(...(await benchSaturated()));
  const one = await Target.start([]);
  try {
    const mine = numapolRuns(one.pid, 21, 'main');
    const early = median(oneCallUs(one.pid, 21));
    oneCallUs(one.pid, ENGINE_WARM_UP);
    // numapol's calls and gdb's alternate in rounds, so that a change in this machine's state
    // during the run (its timings drift by 1.5x) weighs on both sides alike.
    const calls: number[] = [];
    const gdbs: number[] = [];
    for (let round = 0; round < ONE_THREAD_ROUNDS; round++) {
      calls.push(...oneCallUs(one.pid, 21));
      gdbs.push(gdbMs(one.pid, false));
    }
    const call = median(calls);
    const floor = floorUs(one.pid, 41);
    const gdb = median(gdbs);
    figures.push(
      { name: `one set_mempolicy in the main thread, as gdb's call (stop, call, release), warm engine (after ${ENGINE_WARM_UP.toLocaleString('en')} calls), median of ${calls.length} in ${ONE_THREAD_ROUNDS} rounds`, value: call, unit: 'µs', ratio: call / 1000 / gdb, reference: `gdb -p PID -batch -ex 'call ...' (median of ${gdbs.length}, one per round: ${gdb.toFixed(0)} ms)` },
      { name: '  speedup over gdb', value: gdb * 1000 / call, unit: 'x', goal: '>= 1000x', met: gdb * 1000 / call >= 1000 },
      { name: `  the same call early in this process (calls ${WARM_UP + 1}-${WARM_UP + 21} on this target, engine not yet optimized)`, value: early, unit: 'µs', ratio: early / 1000 / gdb, reference: 'gdb', note: `${(gdb * 1000 / early).toFixed(0)}x faster than gdb` },
      { name: '  the same system calls in C (bench/ptrace-floor.c), median of 41', value: floor, unit: 'µs', ratio: floor / call, reference: 'numapol\'s call', note: `${(gdb * 1000 / floor).toFixed(0)}x faster than gdb: what this machine allows without Node and numapol's checks` },
      { name: 'set one thread (read before, set, read back: three calls), median of 21', value: median(mine.totalMs) * 1000, unit: 'µs', ratio: median(mine.totalMs) / gdb, reference: 'gdb', note: `${(gdb / median(mine.totalMs)).toFixed(0)}x faster than gdb` },
    );
  } finally {
    one.kill();
  }
  return figures;
}

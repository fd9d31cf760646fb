/**
 * The process events stream: how long an exec takes to reach the JS callback, against a C
 * listener blocked in recv (bench/proc-events-floor.c) seeing the same execs, and what the
 * stream costs the daemon while nothing happens.
 *
 * Latency is the kernel's own clock: an event carries ktime_get_ns() of the exec
 * (CLOCK_MONOTONIC, as process.hrtime is), and the callback subtracts it from the time it runs.
 * It is measured on the kernel-layer reader (readProcConnector), which watchProcEvents wraps
 * with a loop that only renames fields; the ops events carry no timestamp.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readProcConnector } from '../src/kernel/proc-connector-reader.js';
import { watchProcEvents } from '../src/ops/watch/proc-events.js';
import { buildTarget } from '../test/targets/build.js';
import { median, type BenchFigure } from './report.js';

const BENCH_SOURCES = fileURLToPath(new URL('../../bench/', import.meta.url));

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `execs` paced execs (a shell running /bin/true, then an external sleep, in turn). */
async function paced(execs: number): Promise<void> {
  const rounds = Math.ceil(execs / 2);
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${rounds} ]; do /bin/true; sleep 0.005; i=$((i+1)); done`], { stdio: 'ignore' });
  await once(sh, 'exit');
}

interface LatencyRun {
  /** µs from each exec to the callback, in Node and in C. */
  node: number[];
  floor: number[];
  /** Events and wake-ups (callbacks) the reader had, and this process's CPU meanwhile, µs. */
  events: number;
  wakes: number;
  cpuUs: number;
}

async function latency(execs: number): Promise<LatencyRun> {
  const floorBin = buildTarget('proc-events-floor', BENCH_SOURCES);
  const floorProc = spawn(floorBin, [String(execs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(floorProc, 'close');
  let out = '';
  floorProc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready\n')) await once(floorProc.stdout, 'data');
  const node: number[] = [];
  let count = 0;
  let wakes = 0;
  const reader = readProcConnector({
    onEvents(events) {
      const now = process.hrtime.bigint();
      for (const e of events) if (e.what === 'exec') node.push(Number(now - e.timestampNs) / 1000);
      count += events.length;
      wakes++;
    },
    onOverrun() {},
    onError(e) {
      throw e;
    },
  });
  let cpuUs = 0;
  try {
    const before = process.cpuUsage();
    // A few more than the floor waits for: other processes' execs count for it too.
    await paced(execs + 20);
    const used = process.cpuUsage(before);
    cpuUs = used.user + used.system;
    await closed;
  } finally {
    reader.close();
  }
  const floor = out.split('\n').slice(1).filter(Boolean).map((l) => Number(l) / 1000);
  return { node, floor, events: count, wakes, cpuUs };
}

/** CPU time this process spends in `ms` of doing nothing, with `setup` open meanwhile, µs. */
async function idleCpuUs(ms: number, setup: () => () => void): Promise<number> {
  const stop = setup();
  try {
    await new Promise((r) => setTimeout(r, 200));
    const before = process.cpuUsage();
    await new Promise((r) => setTimeout(r, ms));
    const used = process.cpuUsage(before);
    return used.user + used.system;
  } finally {
    stop();
  }
}

/**
 * `rounds` windows with the stream open and as many without, in turn (a loaded machine and
 * V8's background work weigh on both alike): total µs of CPU with and without, and the events
 * that other processes made the stream read.
 */
async function idleCost(rounds: number, windowMs: number): Promise<{ withUs: number; withoutUs: number; events: number }> {
  let events = 0;
  let withUs = 0;
  let withoutUs = 0;
  for (let i = 0; i < rounds; i++) {
    withoutUs += await idleCpuUs(windowMs, () => () => {});
    withUs += await idleCpuUs(windowMs, () => {
      const s = watchProcEvents(
        (ev) => (events += ev.length),
        () => {},
      );
      return () => s.close();
    });
  }
  return { withUs, withoutUs, events };
}

export async function benchProcEvents(execs = 300, idleMs = 10_000): Promise<BenchFigure[]> {
  spawnSync('/bin/true'); // the page cache holds /bin/true and sh before the measure
  const { node, floor, events, wakes, cpuUs } = await latency(execs);
  const idle = await idleCost(5, idleMs / 5);
  const perSecond = (us: number): number => us / (idleMs / 1000);
  const nodeMedian = median(node);
  const floorMedian = median(floor);
  return [
    { name: `exec → JS callback, median of ${node.length} execs`, value: nodeMedian, unit: 'µs', ratio: nodeMedian / floorMedian, reference: `a C listener blocked in recv (${floorMedian.toFixed(1)} µs)` },
    { name: '  p99', value: percentile(node, 99), unit: 'µs', ratio: percentile(node, 99) / percentile(floor, 99), reference: `C p99 (${percentile(floor, 99).toFixed(1)} µs)` },
    {
      name: '  CPU per event while execs were paced',
      value: cpuUs / events,
      unit: 'µs',
      note: `${events} events in ${wakes} wake-ups; one wake-up of the thread pool and the loop is most of it`,
    },
    {
      name: `CPU of an open stream while this process does nothing (5 windows, ${idleMs / 1000} s in all)`,
      value: perSecond(idle.withUs - idle.withoutUs),
      unit: 'µs CPU per s',
      note: `this process idle without it: ${perSecond(idle.withoutUs).toFixed(0)} µs/s, with it ${perSecond(idle.withUs).toFixed(0)} µs/s; ${idle.events} events of other processes read meanwhile`,
    },
  ];
}

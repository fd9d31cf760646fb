/**
 * Running syscalls in stopped threads: one thread's batch (injectSyscalls), or many threads'
 * batches at once (injectMany). The mechanics are in injection.ts.
 */
import { processVmRead } from '../kernel/remote-memory.js';
import type { Arch } from './arch/index.js';
import { SIGTRAP_BIT } from './signal-masks.js';
import {
  Injection, learnRseqSections, runInjections, stubMaskWordsAt, type InjectCall, type InjectOptions, type StubRun,
} from './injection.js';
import type { TracedThread } from './thread-state.js';

export { isErrnoResult, STUB_NOT_RUN, type InjectCall, type InjectMode, type InjectOptions, type StubRun } from './injection.js';

const completedResults = new WeakMap<object, bigint[]>();

/**
 * The raw results of the calls that ran before a batch failed (the error thrown by
 * injectSyscalls); empty when none ran or `e` did not come from a batch.
 */
export function completedBefore(e: unknown): readonly bigint[] {
  return (typeof e === 'object' && e !== null && completedResults.get(e)) || [];
}

/** Replaces what completedBefore(e) answers (a caller that added calls of its own hides them). */
export function setCompletedBefore(e: unknown, results: bigint[]): void {
  if (typeof e === 'object' && e !== null) completedResults.set(e, results);
}

/** Whether single-stepping is safe for a target whose SigIgn mask is `sigIgn`. */
export function stepIsSafe(arch: Arch, sigIgn: bigint, watchSeccomp: boolean): boolean {
  if (arch.name !== 'x86_64' || watchSeccomp) return false;
  return (sigIgn & SIGTRAP_BIT) === 0n;
}

/** Throws an injection's failure, with the results of the calls that ran attached. */
function outcome(j: Injection): bigint[] {
  if (j.failure === undefined) return j.results;
  if (typeof j.failure === 'object' && j.failure !== null) completedResults.set(j.failure, j.results);
  throw j.failure;
}

/**
 * Makes a stopped thread execute `calls` in order at `insnAddr`, with one save and one restore
 * of its registers and signal mask, and puts it back in a stop with its own state. Returns the
 * raw result register (signed) of each call run: -4095..-1 is the target's -errno, a result and
 * not a failure. Throws NumapolError for transport failures; `completedBefore(error)` then
 * gives the results of the calls that ran.
 */
export function injectSyscalls(
  t: TracedThread, arch: Arch, insnAddr: bigint, calls: readonly InjectCall[], opts: InjectOptions,
): bigint[] {
  const j = new Injection(t, arch, insnAddr, calls, opts);
  runInjections([j]);
  return outcome(j);
}

/** One thread's part of injectMany. */
export interface ThreadBatch {
  readonly t: TracedThread;
  readonly calls: readonly InjectCall[];
  /** The batch as code already written into the target (step mode only). */
  readonly stub?: StubRun;
}

/** How one thread's batch of injectMany ended: its results, or a failure after `results`. */
export interface BatchOutcome {
  readonly results: readonly bigint[];
  readonly failure?: unknown;
}

/**
 * Runs each thread's batch like injectSyscalls, all threads at once (see runInjections). A
 * failure in one thread does not stop the others: each outcome says how its batch ended.
 */
export function injectMany(arch: Arch, insnAddr: bigint, batches: readonly ThreadBatch[], opts: InjectOptions): BatchOutcome[] {
  learnRseqSections(batches.map((b) => b.t), arch);
  const list = batches.map((b) => new Injection(b.t, arch, insnAddr, b.calls, opts, b.stub));
  runInjections(list);
  collectStubResults(list);
  return list.map((j) => (j.failure === undefined ? { results: j.results } : { results: j.results, failure: j.failure }));
}

/**
 * Reads the slot areas of every stub in one process_vm_readv (they lie one after another in
 * one code region), also for threads that failed part-way: their slots say which calls ran.
 */
function collectStubResults(list: readonly Injection[]): void {
  const stubs = list.filter((j) => j.stubRun !== undefined);
  const live = list.find((j) => j.t.phase !== 'gone');
  if (stubs.length === 0 || live === undefined) return;
  let lo = stubs[0]!.stubRun!.slots;
  let hi = lo;
  for (let i = 0; i < stubs.length; i++) {
    const r = stubs[i]!.stubRun!.slots;
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  let mem: Buffer;
  try {
    // Up to the end of the last one's two mask words.
    mem = processVmRead(live.t.tid, lo, Number(hi - lo) + stubMaskWordsAt(Math.max(...stubs.map((j) => j.callCount))) + 16);
  } catch (e) {
    // Only a process being killed under us gets here; nobody can tell what its threads ran.
    for (const j of stubs) j.failure ??= e;
    return;
  }
  for (let i = 0; i < stubs.length; i++) stubs[i]!.stubResultsFrom(mem, lo);
}

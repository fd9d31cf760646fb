/**
 * Running syscalls in stopped threads: one thread's calls one at a time (injectSyscalls), or
 * many threads' batches through the park code, all at once (injectParked). The mechanics are
 * in injection.ts.
 */
import { processVmRead, processVmWrite } from '../kernel/remote-memory.js';
import { writeU64 } from '../kernel/words.js';
import type { Arch } from './arch/index.js';
import { shareCode, argPosition } from './arch/shared-code.js';
import { SLOT, slotSize, TABLE_WORDS } from './arch/x86_64-park.js';
import { faultSeam } from './fault-seam.js';
import {
  Injection, learnRseqSections, runInjections, STUB_NOT_RUN, type InjectCall, type InjectOptions, type ParkRun,
} from './injection.js';
import type { ParkRegion } from './region.js';
import type { ScratchArena } from './scratch.js';
import type { TracedThread } from './thread-state.js';

export { isErrnoResult, STUB_NOT_RUN, type InjectCall, type InjectMode, type InjectOptions } from './injection.js';

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

/** Throws an injection's failure, with the results of the calls that ran attached. */
function outcome(j: Injection): bigint[] {
  if (j.failure === undefined) return j.results;
  if (typeof j.failure === 'object' && j.failure !== null) completedResults.set(j.failure, j.results);
  throw j.failure;
}

/**
 * Makes a stopped thread execute `calls` in order at `insnAddr`, each on its own (one-shot, see
 * injection.ts), and leaves it stopped with its own registers. Returns the raw result register
 * (signed) of each call run: -4095..-1 is the target's -errno, a result and not a failure.
 * Throws NumapolError for transport failures; `completedBefore(error)` then gives the results
 * of the calls that ran.
 */
export function injectSyscalls(
  t: TracedThread, arch: Arch, insnAddr: bigint, calls: readonly InjectCall[], opts: InjectOptions,
): bigint[] {
  const j = new Injection(t, arch, insnAddr, calls, { ...opts, mode: 'syscall-stops' });
  runInjections([j]);
  return outcome(j);
}

/** One thread's part of injectParked. */
export interface ThreadBatch {
  readonly t: TracedThread;
  readonly calls: readonly InjectCall[];
}

/** How one thread's batch ended: its results, or a failure after `results`. */
export interface BatchOutcome {
  readonly results: readonly bigint[];
  readonly failure?: unknown;
}

/** What injectParked needs of the session: the region, the memory to lay the batch out in. */
export interface ParkContext {
  readonly region: ParkRegion;
  readonly arena: ScratchArena;
  /** The signals a thread may park with (park-signal.ts). */
  readonly signals: bigint;
  /**
   * Where the slot areas go; by default the arena. The region's own calls (mapping more memory)
   * use the control slot at the start of its data pages instead.
   */
  readonly at?: bigint;
}

type Calls = readonly InjectCall[];

/** The bytes of one call table: 8 words a call (nr, six arguments, the bits of the varying ones). */
function tableBytes(calls: Calls, varying: ReadonlySet<number>): Buffer {
  const b = Buffer.alloc(calls.length * TABLE_WORDS * 8);
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (c.args.length > 6) throw new RangeError(`a syscall takes at most 6 arguments, got ${c.args.length}`);
    const at = i * TABLE_WORDS * 8;
    writeU64(b, at, BigInt(c.nr));
    let bits = 0n;
    for (let a = 0; a < 6; a++) {
      writeU64(b, at + 8 + 8 * a, BigInt.asUintN(64, c.args[a] ?? 0n));
      if (varying.has(argPosition(i, a))) bits |= 1n << BigInt(a);
    }
    writeU64(b, at + 56, bits);
  }
  return b;
}

/**
 * Runs each thread's batch through the park code, all threads at once (see runInjections).
 * Threads whose batches differ only by one amount added to some arguments (each thread's own
 * output areas) share one call table (shared-code.ts). A failure in one thread does not stop
 * the others: each outcome says how its batch ended.
 */
export function injectParked(arch: Arch, batches: readonly ThreadBatch[], opts: InjectOptions, ctx: ParkContext): BatchOutcome[] {
  learnRseqSections(batches.map((b) => b.t), arch);
  const n = batches.length;
  const calls = batches.map((b) => b.calls);
  const share = shareCode(calls);
  // Layout: the shared table, the tables of batches that share none, then one slot area each.
  const tables: Buffer[] = [tableBytes(calls[0] ?? [], share.varying)];
  const tableOf = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    if (share.deltas[k] !== undefined) tableOf[k] = 0;
    else {
      tableOf[k] = tables.length;
      tables.push(tableBytes(calls[k]!, new Set()));
    }
  }
  const tableAt: number[] = [];
  let size = 0;
  for (const t of tables) {
    tableAt.push(size);
    size += t.length;
  }
  const slotAt = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    slotAt[k] = size;
    size += slotSize(calls[k]!.length);
  }
  const base = ctx.at ?? ctx.arena.alloc(size, 64);
  const runs = new Array<ParkRun>(n);
  for (let k = 0; k < n; k++) runs[k] = { region: ctx.region, slot: base + BigInt(slotAt[k]!), signals: ctx.signals };
  const list = new Array<Injection>(n);
  for (let k = 0; k < n; k++) list[k] = new Injection(batches[k]!.t, arch, 0n, calls[k]!, opts, runs[k]);

  const mem = Buffer.alloc(size);
  tables.forEach((t, i) => t.copy(mem, tableAt[i]!));
  for (let k = 0; k < n; k++) {
    const resume = list[k]!.prepare();
    const at = slotAt[k]!;
    writeU64(mem, at + SLOT.table, base + BigInt(tableAt[tableOf[k]!]!));
    writeU64(mem, at + SLOT.ncalls, BigInt(calls[k]!.length));
    writeU64(mem, at + SLOT.delta, BigInt.asUintN(64, share.deltas[k] ?? 0n));
    writeU64(mem, at + SLOT.flags, opts.stopAtErrno ? 1n : 0n);
    writeU64(mem, at + SLOT.candidates, ctx.signals);
    writeU64(mem, at + SLOT.block, STUB_NOT_RUN);
    writeU64(mem, at + SLOT.signal, -1n);
    if (resume !== undefined) resume.copy(mem, at + SLOT.regs, 0, SLOT.results - SLOT.regs);
    for (let i = 0; i < calls[k]!.length; i++) writeU64(mem, at + SLOT.results + 8 * i, STUB_NOT_RUN);
  }
  // Through a thread of the batch: the leader may be a zombie without an address space.
  processVmWrite(batches[0]?.t.tid ?? 0, base, mem);
  faultSeam('slots-written');
  runInjections(list.filter((j) => !j.done));
  collectParkResults(list, base, size);
  return list.map((j) => (j.failure === undefined ? { results: j.results } : { results: j.results, failure: j.failure }));
}

/**
 * Reads every slot area of a batch in one process_vm_readv (they lie one after another), also
 * for threads that failed part-way: their slots say which calls ran.
 */
function collectParkResults(list: readonly Injection[], base: bigint, size: number): void {
  const live = list.find((j) => j.t.phase !== 'gone');
  if (list.length === 0 || live === undefined) return;
  let mem: Buffer;
  try {
    mem = processVmRead(live.t.tid, base, size);
  } catch (e) {
    // Only a process being killed under us gets here; nobody can tell what its threads ran.
    for (const j of list) j.failure ??= e;
    return;
  }
  for (let i = 0; i < list.length; i++) list[i]!.parkResultsFrom(mem, base);
  faultSeam('results-read');
}

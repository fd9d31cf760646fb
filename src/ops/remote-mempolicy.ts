/**
 * The mempolicy syscalls as a stopped process's own threads run them: nodemasks written into the
 * scratch page, get_mempolicy's output read back from it, errnos turned into typed outcomes. Every
 * operation that changes a running process's policy (set, set --range, home-node, apply, show
 * --exact) goes through here, so the argument encoding lives in one place.
 */
import type { RemoteResult, StoppedProcess } from '../inject/index.js';
import { NumapolError } from '../errors.js';
import { decodeNodemask, encodeNodemask, errnoMeaning, maxNodeBits, maxnodeArg, MPOL_F_ADDR } from '../kernel/index.js';
import { readI32, readU64 } from '../kernel/words.js';
import { formatPolicy, fromKernelMode, toKernelMode, type Mempolicy } from '../policy/index.js';

/** A remote call's outcome; a failure carries the errno and what it means for that syscall. */
export type RemoteOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly syscall: string; readonly errno: number; readonly errnoName: string; readonly meaning: string };

export type RemoteFailure = Extract<RemoteOutcome<unknown>, { ok: false }>;

/** What one exchangeThreadPolicy did: read the old policy, set the new one, read it back. */
export interface PolicyExchange {
  readonly before: RemoteOutcome<Mempolicy>;
  /** Absent when set_mempolicy did not run (reading the old policy failed). */
  readonly set?: RemoteOutcome<null>;
  /** Absent without verification, or when set_mempolicy failed. */
  readonly after?: RemoteOutcome<Mempolicy>;
  /** set_mempolicy may have changed the thread (the caller must be ready to undo it). */
  readonly setMayHaveRun: boolean;
  /** A transport failure after some of the calls ran. */
  readonly error?: unknown;
}

const SET_OK: RemoteOutcome<null> = Object.freeze({ ok: true, value: null });

/** decodeRun()s for the output areas of an exchange: the policies read before, and after. */
interface Decoders {
  readonly before: (offset: number) => Mempolicy;
  readonly after: (offset: number) => Mempolicy;
}

/**
 * Whether bytes [a, a+n) and [b, b+n) of `buf` are equal. A loop, not Buffer#compare: for the
 * few bytes of an output area, compare's argument checks cost more (0.6 µs a call, cold).
 */
function sameBytes(buf: Buffer, a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/** The mempolicy calls of one stopped process. Made per session; caches nodemasks in scratch. */
export class RemoteMempolicy {
  private readonly bits = maxNodeBits();
  /** get_mempolicy's maxnode, for the output nodemask of `bits` bits. */
  private readonly maxnode = BigInt(maxnodeArg(encodeNodemask([], this.bits)));
  private readonly masks = new Map<string, { addr: bigint; maxnode: number }>();
  private out: bigint | undefined;

  constructor(readonly session: StoppedProcess) {}

  /** The address of `nodes` as a nodemask in the target, and the maxnode to pass with it. */
  nodemask(nodes: readonly number[]): { addr: bigint; maxnode: number } {
    const key = nodes.join(',');
    let m = this.masks.get(key);
    if (m === undefined) {
      const mask = encodeNodemask(nodes, this.bits);
      const addr = this.session.scratch(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength));
      m = { addr, maxnode: maxnodeArg(mask) };
      this.masks.set(key, m);
    }
    return m;
  }

  /** get_mempolicy's output area: an int mode (padded to 8 bytes) then the nodemask. */
  private output(): bigint {
    this.out ??= this.session.scratch(Buffer.alloc(8 + this.bits / 8));
    return this.out;
  }

  /** get_mempolicy output areas for exchanges: two per thread (before, after), reused. */
  private exchangeArea: { addr: bigint; threads: number } | undefined;

  private get outSize(): number {
    return 8 + this.bits / 8;
  }

  private decode(buf: Buffer, offset: number): Mempolicy {
    const mode = readI32(buf, offset);
    const words = new BigUint64Array(this.bits / 64);
    for (let i = 0; i < words.length; i++) words[i] = readU64(buf, offset + 8 + i * 8);
    return fromKernelMode(mode, decodeNodemask(words));
  }

  /**
   * decode(), for many output areas of one buffer: an area with the same bytes as the one decoded
   * last gives the same object. The threads of a process mostly share one policy, and a thousand
   * decodes each making a mask, a node list and a policy cost a cold process milliseconds.
   */
  private decodeRun(buf: Buffer): (offset: number) => Mempolicy {
    const size = this.outSize;
    let lastOffset = -1;
    let last: Mempolicy | undefined;
    return (offset) => {
      if (last !== undefined && sameBytes(buf, lastOffset, offset, size)) return last;
      last = this.decode(buf, offset);
      lastOffset = offset;
      return last;
    };
  }

  /** get_mempolicy(&mode, nodemask, maxnode, addr, flags) with its outputs at `out`. */
  private getCall(out: bigint, addr = 0n, flags = 0): { name: 'get_mempolicy'; args: (number | bigint)[] } {
    // BigInts throughout: the session then takes the array as it is (a thousand threads, each
    // with one or two of these).
    return { name: 'get_mempolicy', args: [out, out + 8n, this.maxnode, addr, flags === 0 ? 0n : BigInt(flags)] };
  }

  private setCall(p: Mempolicy): { name: 'set_mempolicy'; args: (number | bigint)[] } {
    const k = toKernelMode(p);
    const m = k.nodes.length > 0 ? this.nodemask(k.nodes) : undefined;
    return { name: 'set_mempolicy', args: [k.mode, m?.addr ?? 0n, m?.maxnode ?? 0] };
  }

  /**
   * In each of `tids`, in one injection (one save and restore of its registers): get_mempolicy,
   * then set_mempolicy(p) only if that worked, then with `verify` get_mempolicy again. All
   * threads at once (each has its own output areas). Never throws for one thread's failure:
   * each exchange says what ran, so the caller can undo exactly what changed.
   */
  exchangeThreadPolicies(tids: readonly number[], p: Mempolicy, verify: boolean): PolicyExchange[] {
    const size = this.outSize;
    const slot = 2 * size;
    // Outputs first: the nodemask set_mempolicy reads then shares their first page.
    const area = this.outputAreas(tids.length);
    const set = this.setCall(p);
    const outcomes = this.session.remoteSyscallsEach(tids.map((tid, i) => {
      const before = area + BigInt(i * slot);
      const calls = verify ? [this.getCall(before), set, this.getCall(before + BigInt(size))] : [this.getCall(before), set];
      return { tid, calls };
    }), { stopAtErrno: true });
    const mem = outcomes.some((o) => o.results[0]?.ok) ? this.session.readMemory(area, tids.length * slot) : undefined;
    // One decoder for the policies before and one for after: each run repeats one policy.
    const decoders = mem === undefined ? undefined : { before: this.decodeRun(mem), after: this.decodeRun(mem) };
    return outcomes.map((o, i) => this.exchangeOf(o.results, o.error, decoders, i * slot));
  }

  /** Two get_mempolicy output areas (before, after) for each of `threads` threads, reused. */
  private outputAreas(threads: number): bigint {
    if (this.exchangeArea === undefined || this.exchangeArea.threads < threads) {
      this.exchangeArea = { addr: this.session.scratch(Buffer.alloc(threads * 2 * this.outSize)), threads };
    }
    return this.exchangeArea.addr;
  }

  /**
   * Each thread's own policy (get_mempolicy with no flags), asked of all of them at once.
   * Throws a thread's transport failure; an errno is that thread's outcome.
   */
  threadPolicies(tids: readonly number[]): RemoteOutcome<Mempolicy>[] {
    const slot = 2 * this.outSize;
    const area = this.outputAreas(tids.length);
    const outcomes = this.session.remoteSyscallsEach(tids.map((tid, i) => ({ tid, calls: [this.getCall(area + BigInt(i * slot))] })));
    const mem = outcomes.some((o) => o.results[0]?.ok) ? this.session.readMemory(area, tids.length * slot) : undefined;
    const decode = mem === undefined ? undefined : this.decodeRun(mem);
    return outcomes.map((o, i) => {
      const r = o.results[0];
      if (r === undefined || decode === undefined) {
        if (o.error !== undefined) throw o.error;
        return this.readFailure(r);
      }
      return r.ok ? { ok: true, value: decode(i * slot) } : this.failure('get_mempolicy', r);
    });
  }

  /** One thread's exchange from its results and its output areas at `offset`. */
  private exchangeOf(results: readonly RemoteResult[], error: unknown, decode: Decoders | undefined, offset: number): PolicyExchange {
    const r0 = results[0];
    const r1 = results[1];
    const r2 = results[2];
    const b: RemoteOutcome<Mempolicy> = r0 === undefined || !r0.ok || decode === undefined
      ? this.readFailure(r0)
      : { ok: true, value: decode.before(offset) };
    const set: RemoteOutcome<null> | undefined = r1 === undefined ? undefined : r1.ok ? SET_OK : this.failure('set_mempolicy', r1);
    const back: RemoteOutcome<Mempolicy> | undefined = r2 === undefined || decode === undefined ? undefined
      : r2.ok ? { ok: true, value: decode.after(offset + this.outSize) } : this.failure('get_mempolicy', r2);
    // A transport failure during set_mempolicy leaves it unknown whether it ran.
    const setMayHaveRun = b.ok && (set !== undefined ? set.ok : error !== undefined);
    const x: { -readonly [K in keyof PolicyExchange]: PolicyExchange[K] } = { before: b, setMayHaveRun };
    if (set !== undefined) x.set = set;
    if (back !== undefined) x.after = back;
    if (error !== undefined) x.error = error;
    return x;
  }

  private failure(syscall: string, r: { errno: number; errnoName: string }): RemoteFailure {
    return { ok: false, syscall, errno: r.errno, errnoName: r.errnoName, meaning: errnoMeaning(syscall, r.errno) };
  }

  /**
   * A get_mempolicy whose policy cannot be had: its own errno when it failed, else EIO (it did
   * not run, or its output area could not be read).
   */
  private readFailure(r: RemoteResult | undefined): RemoteFailure {
    return this.failure('get_mempolicy', r !== undefined && !r.ok ? r : { errno: 5, errnoName: 'EIO' });
  }

  private get(tid: number, addr: bigint, flags: number): RemoteOutcome<Mempolicy> {
    const out = this.output();
    const c = this.getCall(out, addr, flags);
    const r = this.session.remoteSyscall(tid, c.name, c.args);
    if (!r.ok) return this.failure('get_mempolicy', r);
    return { ok: true, value: this.decode(this.session.readMemory(out, this.outSize), 0) };
  }

  /**
   * The VMA policy at `addr` (get_mempolicy MPOL_F_ADDR): `default` when the VMA has none, which
   * is also what mbind(MPOL_DEFAULT) restores.
   */
  vmaPolicy(tid: number, addr: bigint): RemoteOutcome<Mempolicy> {
    return this.get(tid, addr, MPOL_F_ADDR);
  }

  /**
   * vmaPolicy for many addresses in one injection (one save and restore of `tid`'s registers):
   * a job move reads every VMA of a process that may hold a policy of its own. Throws a
   * transport failure; an errno is that address's outcome.
   */
  vmaPolicies(tid: number, addrs: readonly bigint[]): RemoteOutcome<Mempolicy>[] {
    if (addrs.length === 0) return [];
    const size = this.outSize;
    // outputAreas hands out two areas per thread: enough for two addresses each.
    const area = this.outputAreas(Math.ceil(addrs.length / 2));
    const results = this.session.remoteSyscalls(tid, addrs.map((a, i) => this.getCall(area + BigInt(i * size), a, MPOL_F_ADDR)));
    const mem = results.some((r) => r.ok) ? this.session.readMemory(area, addrs.length * size) : undefined;
    const decode = mem === undefined ? undefined : this.decodeRun(mem);
    return addrs.map((_, i) => {
      const r = results[i];
      if (r === undefined || !r.ok || decode === undefined) return this.readFailure(r);
      return { ok: true, value: decode(i * size) };
    });
  }

  /** set_mempolicy in thread `tid`. */
  setThreadPolicy(tid: number, p: Mempolicy): RemoteOutcome<null> {
    const c = this.setCall(p);
    const r = this.session.remoteSyscall(tid, c.name, c.args);
    return r.ok ? { ok: true, value: null } : this.failure('set_mempolicy', r);
  }

  /** mbind([start, end), p, flags) run by thread `tid` (it acts on the whole mm). */
  mbind(tid: number, start: bigint, end: bigint, p: Mempolicy, flags: number): RemoteOutcome<null> {
    const k = toKernelMode(p);
    const m = k.nodes.length > 0 ? this.nodemask(k.nodes) : undefined;
    const r = this.session.remoteSyscall(tid, 'mbind', [start, end - start, k.mode, m?.addr ?? 0n, m?.maxnode ?? 0, flags]);
    return r.ok ? { ok: true, value: null } : this.failure('mbind', r);
  }

  /** set_mempolicy_home_node([start, end), node). */
  setHomeNode(tid: number, start: bigint, end: bigint, node: number): RemoteOutcome<null> {
    const r = this.session.remoteSyscall(tid, 'set_mempolicy_home_node', [start, end - start, node, 0]);
    return r.ok ? { ok: true, value: null } : this.failure('set_mempolicy_home_node', r);
  }
}

/**
 * Whether the policy read back is the one set. The kernel keeps the nodes as given for static and
 * relative policies, and otherwise their intersection with the cpuset's mems, so then a non-empty
 * subset counts as the same policy.
 */
export function samePolicy(wanted: Mempolicy, got: Mempolicy): boolean {
  if (wanted.mode !== got.mode) return false;
  if ((wanted.flags.remap ?? '') !== (got.flags.remap ?? '') || !!wanted.flags.balancing !== !!got.flags.balancing) return false;
  if (wanted.flags.remap !== undefined) return wanted.nodes.join(',') === got.nodes.join(',');
  if (wanted.nodes.length === 0) return got.nodes.length === 0;
  return got.nodes.length > 0 && got.nodes.every((n) => wanted.nodes.includes(n));
}

/** The kernel (numa_maps) text of a policy. */
export function policyText(p: Mempolicy): string {
  return formatPolicy(p);
}

/** A NumapolError for a remote failure, with the operation's own words in front. */
export function remoteError(what: string, f: RemoteFailure, details: Record<string, unknown> = {}): NumapolError {
  return new NumapolError(f.errnoName, `${what}: ${f.syscall} failed with ${f.errnoName}: ${f.meaning}`, {
    details: { syscall: f.syscall, errno: f.errnoName, ...details },
  });
}

/**
 * Changes made in a stopped process, newest last, each with the call that undoes it. On failure
 * the operation undoes them newest first while the process is still stopped.
 */
export class UndoLog {
  private readonly steps: { what: string; undo: () => RemoteOutcome<null> }[] = [];

  push(what: string, undo: () => RemoteOutcome<null>): void {
    this.steps.push({ what, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every undo, newest first; returns what could not be undone. */
  rollback(): { restored: string[]; failed: { what: string; why: string }[] } {
    const restored: string[] = [];
    const failed: { what: string; why: string }[] = [];
    while (this.steps.length > 0) {
      const s = this.steps.pop()!;
      try {
        const r = s.undo();
        if (r.ok) restored.push(s.what);
        else failed.push({ what: s.what, why: `${r.errnoName}: ${r.meaning}` });
      } catch (e) {
        failed.push({ what: s.what, why: e instanceof Error ? e.message : String(e) });
      }
    }
    return { restored, failed };
  }
}

/**
 * Argument memory in the target (nodemasks, get_mempolicy's output, page lists).
 *
 * Small amounts are borrowed: the dead part of a stopped thread's stack page, below its stack
 * pointer and the ABI's red zone. Their bytes are saved first and written back before any
 * thread runs again, and every thread is stopped meanwhile, so no code of the program can see
 * them change. Staying inside the page that holds the stack pointer keeps the borrowing inside
 * memory the thread is using as its stack: never a guard page, never a mapping another process
 * shares. (Writing further below the stack pointer without putting the bytes back would be
 * unsafe for small stacks: Go's goroutine stacks can start at 2 KiB.) This saves the two
 * injected syscalls of a mapping, most of the cost of changing one thread.
 *
 * More than that goes into an anonymous mapping made by an injected mmap and removed by an
 * injected munmap. The first one is placed at an address we choose in a free gap (scratchHole),
 * so `put` can hand out addresses before the mapping exists: its mmap(MAP_FIXED_NOREPLACE) then
 * runs as the first call of the next injection (see `pendingMmap`), and the bytes are written
 * right after it, while that thread is still stopped. That saves a whole injection.
 */
import { NumapolError } from '../errors.js';
import { processVmRead, processVmWrite } from '../kernel/remote-memory.js';
import type { Arch } from './arch/index.js';
import { nativeRegs, type TracedThread } from './thread-state.js';

const PAGE = 4096;
const PROT_READ_WRITE = 3n;
const PROT_READ_WRITE_EXEC = 7n;
const MAP_PRIVATE_ANONYMOUS = 0x22n;
/** Fails with EEXIST instead of replacing a mapping (Linux 4.17+; older kernels take a hint). */
const MAP_FIXED_NOREPLACE = 0x100000n;

export interface ScratchRegion {
  addr: bigint;
  size: number;
  used: number;
}

interface PendingRegion extends ScratchRegion {
  writes: { addr: bigint; bytes: Buffer }[];
}

/** Memory that may be borrowed, all of it in one page: [addr, addr + size). */
export interface BorrowWindow {
  addr: bigint;
  size: number;
}

/**
 * The dead part of a stopped thread's stack page: from the start of the page that holds its
 * stack pointer up to the red zone below that pointer, 16-byte aligned. Undefined when there
 * is none (the pointer sits near the page's start) or the registers are not native. (A thread
 * in vfork, whose child runs on the stack below its stack pointer, never gets here: it sleeps
 * uninterruptibly until the child execs or exits, and no ptrace stop can reach it.)
 */
export function deadStackWindow(t: TracedThread, arch: Arch): BorrowWindow | undefined {
  const regs = nativeRegs(t, arch);
  if (regs === undefined) return undefined;
  const sp = arch.stackPointer(regs);
  const top = ((sp - BigInt(arch.redZone)) / 16n) * 16n;
  const bottom = (sp / BigInt(PAGE)) * BigInt(PAGE);
  return top > bottom ? { addr: bottom, size: Number(top - bottom) } : undefined;
}

/** Runs one injected syscall; returns the raw result. */
export type RawSyscall = (name: 'mmap' | 'munmap', args: bigint[]) => bigint;

function isErrno(r: bigint): boolean {
  return r < 0n && r >= -4095n;
}

export class ScratchArena {
  private readonly regions: ScratchRegion[] = [];
  private pending: PendingRegion | undefined;
  private holeTried = false;
  private code: ScratchRegion | undefined;
  /** The target may not map executable memory (SELinux execmem, MDWE...): do not ask again. */
  private execDenied = false;
  /** null: no window to borrow from (asked once). */
  private window: (BorrowWindow & { used: number }) | null | undefined;
  /** Borrowed bytes as they were, to write back at release (in reverse order). */
  private readonly borrowed: { addr: bigint; bytes: Buffer }[] = [];

  /**
   * `hole(size)` proposes a free address for a deferred region (undefined: map at once).
   * `flush()` runs an injection with no calls of its own, which maps a pending region.
   * `borrow()` proposes memory to borrow (see the module comment).
   */
  constructor(
    private readonly pid: number,
    private readonly call: RawSyscall,
    private readonly hole?: (size: number) => bigint | undefined,
    private readonly flush?: () => void,
    private readonly borrow?: () => BorrowWindow | undefined,
  ) {}

  /** Borrows room for `bytes` in the window, or answers undefined when they do not fit. */
  private putBorrowed(bytes: Buffer, need: number): bigint | undefined {
    if (this.window === undefined) {
      const w = this.borrow?.();
      this.window = w === undefined ? null : { ...w, used: 0 };
    }
    const w = this.window;
    const size = Math.ceil(need / 16) * 16;
    if (w === null || w.size - w.used < size) return undefined;
    // From the top down: right below the red zone is the thread's own unused stack; only a
    // large request reaches further down the page.
    const addr = w.addr + BigInt(w.size - w.used - size);
    let original: Buffer;
    try {
      original = processVmRead(this.pid, addr, need);
    } catch {
      this.window = null;
      return undefined;
    }
    if (original.length < need) {
      this.window = null;
      return undefined;
    }
    this.borrowed.push({ addr, bytes: original });
    try {
      processVmWrite(this.pid, addr, bytes);
    } catch {
      // Not writable after all: put back what may have been written, and map memory instead.
      this.borrowed.pop();
      this.window = null;
      processVmWrite(this.pid, addr, original);
      return undefined;
    }
    w.used += size;
    return addr;
  }

  /** Copies `bytes` into the target and returns their address (16-byte aligned). */
  put(bytes: Buffer): bigint {
    const need = Math.max(1, bytes.length);
    const region = this.regions.find((r) => r !== this.code && r.size - r.used >= need);
    if (region !== undefined) {
      const addr = region.addr + BigInt(region.used);
      processVmWrite(this.pid, addr, bytes);
      region.used += Math.ceil(need / 16) * 16;
      return addr;
    }
    const lent = this.putBorrowed(bytes, need);
    if (lent !== undefined) return lent;
    const size = Math.ceil(need / PAGE) * PAGE;
    if (this.pending === undefined && !this.holeTried && this.hole !== undefined) {
      // Only the first region is deferred: later ones are rare (more than a page of arguments).
      this.holeTried = true;
      const addr = this.hole(Math.max(size, PAGE));
      if (addr !== undefined) this.pending = { addr, size: Math.max(size, PAGE), used: 0, writes: [] };
    }
    const p = this.pending;
    if (p !== undefined && p.size - p.used >= need) {
      const addr = p.addr + BigInt(p.used);
      p.writes.push({ addr, bytes: Buffer.from(bytes) });
      p.used += Math.ceil(need / 16) * 16;
      return addr;
    }
    if (p !== undefined) this.flushPending();
    const ret = this.call('mmap', [0n, BigInt(size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n]);
    if (isErrno(ret)) {
      throw new NumapolError('ESCRATCH', `pid ${this.pid}: the injected mmap for ${size} bytes of argument memory failed with errno ${-ret}`, { details: { pid: this.pid, errno: Number(-ret) } });
    }
    const fresh: ScratchRegion = { addr: BigInt.asUintN(64, ret), size, used: 0 };
    this.regions.push(fresh);
    return this.put(bytes);
  }

  /**
   * Copies machine code into an executable region of its own (an injection of its own maps it
   * the first time) and returns its address; undefined when the target may not have executable
   * anonymous memory, so the caller runs its calls another way.
   */
  putCode(bytes: Buffer): bigint | undefined {
    if (this.execDenied) return undefined;
    const need = Math.max(1, bytes.length);
    let r = this.code;
    if (r === undefined || r.size - r.used < need) {
      const size = Math.ceil(need / PAGE) * PAGE;
      const ret = this.call('mmap', [0n, BigInt(size), PROT_READ_WRITE_EXEC, MAP_PRIVATE_ANONYMOUS, -1n, 0n]);
      if (ret === -13n || ret === -1n) {
        // EACCES / EPERM: a security policy forbids it.
        this.execDenied = true;
        return undefined;
      }
      if (isErrno(ret)) {
        throw new NumapolError('ESCRATCH', `pid ${this.pid}: the injected mmap for ${size} bytes of code failed with errno ${-ret}`, { details: { pid: this.pid, errno: Number(-ret) } });
      }
      r = { addr: BigInt.asUintN(64, ret), size, used: 0 };
      this.regions.push(r);
      this.code = r;
    }
    const addr = r.addr + BigInt(r.used);
    processVmWrite(this.pid, addr, bytes);
    r.used += Math.ceil(need / 16) * 16;
    return addr;
  }

  /** The arguments of the mmap that creates the pending region, to run before the next calls. */
  pendingMmap(): bigint[] | undefined {
    const p = this.pending;
    if (p === undefined) return undefined;
    return [p.addr, BigInt(p.size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS | MAP_FIXED_NOREPLACE, -1n, 0n];
  }

  /**
   * The result of the pending mmap (called while the thread that ran it is still stopped):
   * writes the queued bytes. Throws ESCRATCH when the region could not be made where promised.
   */
  mapped(ret: bigint): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    if (isErrno(ret)) {
      throw new NumapolError('ESCRATCH', `pid ${this.pid}: the injected mmap of argument memory at 0x${p.addr.toString(16)} failed with errno ${-ret}`, { details: { pid: this.pid, errno: Number(-ret) } });
    }
    const got = BigInt.asUintN(64, ret);
    if (got !== p.addr) {
      // A kernel older than 4.17 took the address as a hint: unmap what it made, at release.
      this.regions.push({ addr: got, size: p.size, used: p.size });
      throw new NumapolError('ESCRATCH', `pid ${this.pid}: argument memory could not be mapped at 0x${p.addr.toString(16)} (got 0x${got.toString(16)})`, { details: { pid: this.pid } });
    }
    this.regions.push({ addr: p.addr, size: p.size, used: p.used });
    for (const w of p.writes) processVmWrite(this.pid, w.addr, w.bytes);
  }

  /**
   * The injection that carried the pending mmap failed before its result was seen: the mapping
   * may exist (at our address, which NOREPLACE only takes when free), so release unmaps it.
   */
  mmapUncertain(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    this.regions.push({ addr: p.addr, size: p.size, used: p.size });
  }

  /** True when [addr, addr+length) touches the region that does not exist yet. */
  isPending(addr: bigint, length: number): boolean {
    const p = this.pending;
    return p !== undefined && addr < p.addr + BigInt(p.size) && addr + BigInt(length) > p.addr;
  }

  /** Makes the pending region exist now (an injection of its own). */
  flushPending(): void {
    if (this.pending === undefined) return;
    if (this.flush === undefined) throw new NumapolError('ESCRATCH', 'argument memory is pending without a way to map it');
    this.flush();
  }

  get mappedRegions(): readonly ScratchRegion[] {
    return this.regions;
  }

  /** Writes borrowed memory back and unmaps every region; returns the errors (the caller is already cleaning up). */
  release(): unknown[] {
    // Never mapped: nothing to undo.
    this.pending = undefined;
    const errors: unknown[] = [];
    while (this.borrowed.length > 0) {
      const b = this.borrowed.pop() as { addr: bigint; bytes: Buffer };
      try {
        processVmWrite(this.pid, b.addr, b.bytes);
      } catch (e) {
        errors.push(new NumapolError('ESCRATCH', `pid ${this.pid}: could not write back ${b.bytes.length} borrowed stack bytes at 0x${b.addr.toString(16)}`, { cause: e }));
      }
    }
    this.code = undefined;
    while (this.regions.length > 0) {
      const r = this.regions.pop() as ScratchRegion;
      try {
        const ret = this.call('munmap', [r.addr, BigInt(r.size)]);
        if (ret !== 0n) errors.push(new NumapolError('ESCRATCH', `pid ${this.pid}: munmap of the scratch page at 0x${r.addr.toString(16)} failed with errno ${-ret}`));
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }
}

/**
 * Argument memory in the target (nodemasks, page lists): an anonymous mapping made by an
 * injected mmap and removed by an injected munmap. Writing below the stack pointer would save
 * the two syscalls but is unsafe for small stacks (Go's goroutine stacks start at 8 KiB).
 *
 * The first region is placed at an address we choose in a free gap (scratchHole), so `put` can
 * hand out addresses before the mapping exists: its mmap(MAP_FIXED_NOREPLACE) then runs as the
 * first call of the next injection (see `pendingMmap`), and the bytes are written right after
 * it, while that thread is still stopped. That saves a whole injection (registers saved,
 * stepped, restored, settled) per session, which is most of the cost of changing one thread.
 */
import { NumapolError } from '../errors.js';
import { processVmWrite } from '../kernel/remote-memory.js';

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

  /**
   * `hole(size)` proposes a free address for a deferred region (undefined: map at once).
   * `flush()` runs an injection with no calls of its own, which maps a pending region.
   */
  constructor(
    private readonly pid: number,
    private readonly call: RawSyscall,
    private readonly hole?: (size: number) => bigint | undefined,
    private readonly flush?: () => void,
  ) {}

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

  /** Unmaps every region; returns the errors (the caller is already cleaning up). */
  release(): unknown[] {
    // Never mapped: nothing to undo.
    this.pending = undefined;
    const errors: unknown[] = [];
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

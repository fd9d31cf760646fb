/**
 * Argument memory in the target (nodemasks, page lists): an anonymous mapping made by an
 * injected mmap and removed by an injected munmap. Writing below the stack pointer would save
 * the two syscalls but is unsafe for small stacks (Go's goroutine stacks start at 8 KiB).
 */
import { NumapolError } from '../errors.js';
import { processVmWrite } from '../kernel/remote-memory.js';

const PAGE = 4096;
const PROT_READ_WRITE = 3n;
const MAP_PRIVATE_ANONYMOUS = 0x22n;

export interface ScratchRegion {
  addr: bigint;
  size: number;
  used: number;
}

/** Runs one injected syscall; returns the raw result. */
export type RawSyscall = (name: 'mmap' | 'munmap', args: bigint[]) => bigint;

export class ScratchArena {
  private readonly regions: ScratchRegion[] = [];

  constructor(private readonly pid: number, private readonly call: RawSyscall) {}

  /** Copies `bytes` into the target and returns their address (16-byte aligned). */
  put(bytes: Buffer): bigint {
    const need = Math.max(1, bytes.length);
    let region = this.regions.find((r) => r.size - r.used >= need);
    if (region === undefined) {
      const size = Math.ceil(need / PAGE) * PAGE;
      const ret = this.call('mmap', [0n, BigInt(size), PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0n]);
      if (ret < 0n && ret >= -4095n) {
        throw new NumapolError('ESCRATCH', `pid ${this.pid}: the injected mmap for ${size} bytes of argument memory failed with errno ${-ret}`, { details: { pid: this.pid, errno: Number(-ret) } });
      }
      region = { addr: BigInt.asUintN(64, ret), size, used: 0 };
      this.regions.push(region);
    }
    const addr = region.addr + BigInt(region.used);
    processVmWrite(this.pid, addr, bytes);
    region.used += Math.ceil(need / 16) * 16;
    return addr;
  }

  get mapped(): readonly ScratchRegion[] {
    return this.regions;
  }

  /** Unmaps every region; returns the errors (the caller is already cleaning up). */
  release(): unknown[] {
    const errors: unknown[] = [];
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

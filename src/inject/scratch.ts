/**
 * Memory in the target for what the injected calls read and write (nodemasks,
 * get_mempolicy's outputs) and, with the park code, each thread's call table and slot area.
 *
 * It is handed out from areas that exist only for numapol: the data pages of the park region
 * (region.ts), and anonymous mappings made for the operation when those are not enough (many
 * threads) and unmapped at its end. Never the program's own memory: a thread's stack below
 * its stack pointer would do while every thread is stopped, but if numapol died before writing
 * the bytes back they would stay changed, and on small packed stacks (goroutines) that memory
 * may be another stack's live frames.
 *
 * Allocation is a bump pointer with marks: a batch's tables and slot areas are given back once
 * its results are read, so a long operation of many batches keeps reusing the same bytes.
 */
import { NumapolError } from '../errors.js';
import { processVmWrite } from '../kernel/remote-memory.js';

const PAGE = 4096;
/** Mappings made for an operation are at least this large: one per operation is the usual need. */
const MIN_EXTENT = 64 * 1024;

interface Area {
  readonly addr: bigint;
  readonly size: number;
  used: number;
}

/** Where allocation stood: reset() gives back everything allocated since. */
export interface ArenaMark {
  readonly area: number;
  readonly used: number;
}

/**
 * `map(size)` makes an anonymous read-write mapping of `size` bytes in the target and returns
 * its address; `initial` is memory that already exists (the region's data pages).
 */
export class ScratchArena {
  private readonly areas: Area[] = [];
  /** Mappings made by `map`, to unmap at the end. */
  private readonly made: { addr: bigint; size: number }[] = [];
  private current = 0;

  constructor(
    private readonly pid: number,
    private readonly map: (size: number) => bigint,
    initial?: { addr: bigint; size: number },
  ) {
    if (initial !== undefined) this.areas.push({ ...initial, used: 0 });
  }

  /** `size` bytes aligned to `align` (a power of two, at most a page). */
  alloc(size: number, align = 16): bigint {
    const need = Math.max(1, size);
    for (let i = this.current; i < this.areas.length; i++) {
      const a = this.areas[i]!;
      const at = Math.ceil(a.used / align) * align;
      if (at + need <= a.size) {
        a.used = at + need;
        this.current = i;
        return a.addr + BigInt(at);
      }
    }
    const size2 = Math.max(MIN_EXTENT, Math.ceil(need / PAGE) * PAGE);
    const addr = this.map(size2);
    this.made.push({ addr, size: size2 });
    this.areas.push({ addr, size: size2, used: need });
    this.current = this.areas.length - 1;
    return addr;
  }

  /** Copies `bytes` into the target and returns their address (16-byte aligned). */
  put(bytes: Buffer): bigint {
    const addr = this.alloc(bytes.length);
    processVmWrite(this.pid, addr, bytes);
    return addr;
  }

  mark(): ArenaMark {
    return { area: this.current, used: this.areas[this.current]?.used ?? 0 };
  }

  /** Gives back what was allocated since `m` (its memory stays mapped for the next allocations). */
  reset(m: ArenaMark): void {
    if (this.areas.length === 0) return;
    this.current = m.area;
    this.areas[m.area]!.used = m.used;
    for (let i = m.area + 1; i < this.areas.length; i++) this.areas[i]!.used = 0;
  }

  /** The mappings this arena made, for the caller to unmap; forgets them. */
  takeMappings(): { addr: bigint; size: number }[] {
    return this.made.splice(0);
  }
}

/** The error of an injected mmap that failed with errno `errno`. */
export function mmapFailed(pid: number, size: number, errno: number): NumapolError {
  return new NumapolError('ESCRATCH', `pid ${pid}: the injected mmap for ${size} bytes of argument memory failed with errno ${errno}`, { details: { pid, errno } });
}

/**
 * Memory whose address may be written into a struct the kernel reads (an iovec) or passed as a
 * raw integer argument.
 *
 * Why this exists: V8 keeps small typed arrays (up to 64 bytes, e.g. `Buffer.alloc(16)`) on the
 * JS heap, where a GC may move them; and any buffer that is no longer referenced may be freed
 * by the next GC, even between taking its address and the syscall that uses it. A raw address
 * of such a buffer made the kernel read garbage (PTRACE_SETREGSET answered EIO) or could have
 * made it write registers into freed memory. A PinnedBlock is an `ArrayBuffer` allocated once
 * (its backing store lives outside the JS heap and never moves) and referenced for as long as
 * its owner module keeps it, so its address stays valid across any allocation.
 */
import { koffi } from './ffi.js';

export class PinnedBlock {
  /** A view of the whole block. */
  readonly buf: Buffer;
  /** Address of byte 0 (user-space addresses fit in a double exactly). */
  readonly addr: number;

  constructor(readonly size: number) {
    // new ArrayBuffer always has an off-heap backing store; keep the ArrayBuffer reachable
    // through `buf` for the block's whole life.
    this.buf = Buffer.from(new ArrayBuffer(Math.max(size, 128)));
    this.addr = Number(koffi().address(this.buf));
  }

  /** Address of byte `offset`. */
  at(offset: number): number {
    return this.addr + offset;
  }
}

/**
 * A pinned block of at least `size` bytes, reused while big enough. Its owner keeps it in a
 * module-level variable, so the block stays alive during the call that uses its address; blocks
 * over `keepMax` bytes are dropped by `release` once that call has returned.
 */
export class GrowablePinned {
  private block: PinnedBlock | undefined;

  constructor(private readonly keepMax = 1 << 20) {}

  get(size: number): PinnedBlock {
    if (this.block === undefined || this.block.size < size) {
      this.block = new PinnedBlock(Math.max(size, 4096));
    }
    return this.block;
  }

  /** Forgets an oversized block once the call that used it has returned. */
  release(): void {
    if (this.block !== undefined && this.block.size > this.keepMax) this.block = undefined;
  }
}

/**
 * A column of page addresses laid out as move_pages takes them (64-bit words), written and read
 * as 32-bit halves: filling a step of 4096 pages makes no BigInt (BigUint64Array.from(bigint[])
 * made one per page, and the garbage collector paid for them), and consecutive pages advance by
 * 32-bit integer additions with a carry, no floating point. Under emulation (the TCG guest)
 * every double operation is a call into a soft-float routine, so the per-page paths stay in
 * int32 arithmetic; page numbers (address / page size, exact in a double) are only used off
 * those paths.
 */
import { endianness } from 'node:os';

const LO = endianness() === 'LE' ? 0 : 1;
const HI = 1 - LO;
const TWO32 = 2 ** 32;

export class PageAddrs {
  /** The addresses, for the syscall. */
  private buf: BigUint64Array;
  /** The same memory as signed 32-bit halves: int32 stays in V8's integer paths. */
  private words: Int32Array;
  /** Pages per 4 GiB: a page number's high half is vpn / this, its low half the rest times the page size. */
  private readonly per4G: number;

  constructor(
    private readonly pageBytes: number,
    capacity = 0,
  ) {
    this.per4G = TWO32 / pageBytes;
    this.buf = new BigUint64Array(capacity);
    this.words = new Int32Array(this.buf.buffer);
  }

  get capacity(): number {
    return this.buf.length;
  }

  /** Room for n addresses; the first `keep` entries are kept. */
  reserve(n: number, keep = 0): void {
    if (n <= this.buf.length) return;
    const buf = new BigUint64Array(Math.max(n, this.buf.length * 2));
    if (keep > 0) buf.set(this.buf.subarray(0, keep));
    this.buf = buf;
    this.words = new Int32Array(buf.buffer);
  }

  /** Sets entry i to the address of page number vpn. */
  set(i: number, vpn: number): void {
    const hi = Math.floor(vpn / this.per4G);
    this.words[2 * i + HI] = hi;
    this.words[2 * i + LO] = (vpn - hi * this.per4G) * this.pageBytes;
  }

  /**
   * Sets entries i..i+count-1 to the pages vpn, vpn+stride, ... (stride in pages): one division
   * for the run, then a 32-bit add with carry per entry.
   */
  setRun(i: number, vpn: number, count: number, stride: number): void {
    if (count <= 0) return;
    if (stride * this.pageBytes >= 2 ** 31) {
      for (let k = 0; k < count; k++) this.set(i + k, vpn + k * stride);
      return;
    }
    const w = this.words;
    const hiFirst = Math.floor(vpn / this.per4G);
    let hi = hiFirst | 0;
    let lo = ((vpn - hiFirst * this.per4G) * this.pageBytes) | 0;
    const step = (stride * this.pageBytes) | 0;
    // Unsigned comparison in int32: flipping the sign bit orders the halves as unsigned.
    const stepU = step ^ 0x80000000;
    for (let k = 2 * i, end = 2 * (i + count); k < end; k += 2) {
      w[k + HI] = hi;
      w[k + LO] = lo;
      lo = (lo + step) | 0;
      if ((lo ^ 0x80000000) < stepU) hi = (hi + 1) | 0;
    }
  }

  /** Copies entry j of `from` into entry i. */
  copy(i: number, from: PageAddrs, j: number): void {
    this.words[2 * i] = from.words[2 * j]!;
    this.words[2 * i + 1] = from.words[2 * j + 1]!;
  }

  /** Address of entry i (a BigInt: for callers off the per-page paths). */
  at(i: number): bigint {
    return this.buf[i]!;
  }

  /** Page number of entry i. */
  vpnAt(i: number): number {
    return ((this.words[2 * i + HI]! >>> 0) * TWO32 + (this.words[2 * i + LO]! >>> 0)) / this.pageBytes;
  }

  /** Entries start..end-1, for the syscall (a view, no copy: valid until the next reserve or write). */
  view(start: number, end: number): BigUint64Array {
    return this.buf.subarray(start, end);
  }
}

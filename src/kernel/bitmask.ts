/**
 * Kernel bitmaps (nodemask_t, cpumask_t as user space sees them): arrays of unsigned longs,
 * bit i of word i/64 set for member i. Only 64-bit targets are supported, so a word is 64 bits.
 */
export const BITS_PER_WORD = 64;

/** Words needed for `bits` bits (at least one, so the kernel always gets a real buffer). */
export function wordsFor(bits: number): number {
  return Math.max(1, Math.ceil(bits / BITS_PER_WORD));
}

/**
 * Encodes members into a bitmap of at least `minBits` bits, growing it to hold the largest
 * member: a member the kernel does not support then reaches the kernel, which rejects it with
 * an errno that names the syscall, rather than being dropped here.
 */
export function encodeBitmask(members: readonly number[], minBits: number): BigUint64Array {
  let top = minBits;
  for (const m of members) {
    if (!Number.isSafeInteger(m) || m < 0) throw new RangeError(`bad bitmap member ${m}`);
    if (m + 1 > top) top = m + 1;
  }
  const mask = new BigUint64Array(wordsFor(top));
  for (const m of members) {
    const word = Math.floor(m / BITS_PER_WORD);
    mask[word] = (mask[word] ?? 0n) | (1n << BigInt(m % BITS_PER_WORD));
  }
  return mask;
}

/** The members of a bitmap, ascending. */
export function decodeBitmask(mask: BigUint64Array): number[] {
  const members: number[] = [];
  for (let w = 0; w < mask.length; w++) {
    let word = mask[w] ?? 0n;
    for (let bit = 0; word !== 0n; bit++, word >>= 1n) {
      if ((word & 1n) === 1n) members.push(w * BITS_PER_WORD + bit);
    }
  }
  return members;
}

/** Bits a bitmap holds. */
export function bitsOf(mask: BigUint64Array): number {
  return mask.length * BITS_PER_WORD;
}

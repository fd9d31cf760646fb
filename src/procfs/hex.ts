/**
 * Hex text → bigint, fast for the common case. Addresses of a 47/56-bit user space fit in a double
 * exactly up to 13 hex digits, and BigInt(number) is several times cheaper than BigInt('0x...').
 */
export function hexToBigInt(s: string): bigint {
  if (s.length <= 13) {
    const n = Number.parseInt(s, 16);
    if (Number.isNaN(n)) throw new Error(`not a hex number: ${JSON.stringify(s)}`);
    return BigInt(n);
  }
  return BigInt('0x' + s);
}

/** Format an address like the kernel's %08lx. */
export function formatHex(n: bigint): string {
  return n.toString(16).padStart(8, '0');
}

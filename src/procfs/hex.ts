/**
 * Hex text → bigint, fast for the common case. Addresses of a 47/56-bit user space fit in a double
 * exactly up to 13 hex digits, and BigInt(number) is several times cheaper than BigInt('0x...').
 */
export function hexToBigInt(s: string): bigint {
  const v = hexSpanToBigInt(s, 0, s.length);
  if (v === undefined) throw new Error(`not a hex number: ${JSON.stringify(s)}`);
  return v;
}

/** Parse s[from, to) as hex without slicing; undefined if empty or not hex. */
export function hexSpanToBigInt(s: string, from: number, to: number): bigint | undefined {
  if (to <= from) return undefined;
  if (to - from > 13) return isHexSpan(s, from, to) ? BigInt('0x' + s.slice(from, to)) : undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0) return undefined;
    n = n * 16 + d;
  }
  return BigInt(n);
}

/** Whether s[from, to) is a non-empty run of hex digits. */
export function isHexSpan(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (hexDigit(s.charCodeAt(i)) < 0) return false;
  return true;
}

/** The value of hex digit character code `c` (either case), -1 for any other character. */
export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Format an address like the kernel's %08lx. */
export function formatHex(n: bigint): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * printf("%.*f") as glibc prints a double: from its exact binary value, ties rounded to even.
 * JavaScript's toFixed rounds ties up (0.125 → "0.13", glibc "0.12"), and numastat's megabytes
 * are multiples of 1/256 that land on such ties.
 */
export function cFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return String(x);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const exponentBits = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent = exponentBits - 1075;
  if (exponentBits === 0) exponent = -1074;
  else mantissa |= 1n << 52n;
  let num = mantissa * 10n ** BigInt(decimals);
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  let q = num / den;
  const twice = 2n * (num - q * den);
  if (twice > den || (twice === den && q % 2n === 1n)) q++;
  const digits = q.toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

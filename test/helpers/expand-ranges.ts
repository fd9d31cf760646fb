/**
 * Expands the kernel's list text ("0-3,5", or numactl -H's "0 1 2") into numbers: a deliberately
 * naive reader, independent of src/, so tests compare numapol against the files themselves.
 */
export function expandRanges(text: string): number[] {
  return text
    .trim()
    .split(/[ ,]+/)
    .filter(Boolean)
    .flatMap((p) => {
      const [a, b] = p.split('-').map(Number);
      return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
    });
}

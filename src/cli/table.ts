/** Aligned text tables and human units for every read command. */
export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const lastLeft = columns.at(-1)?.align !== 'right';
  const line = (cells: readonly string[]): string => {
    const text = columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const w = widths[i] ?? 0;
        // The last left-aligned column is not padded: no trailing blanks.
        if (i === columns.length - 1 && c.align !== 'right') return cell;
        return c.align === 'right' ? cell.padStart(w) : cell.padEnd(w);
      })
      .join('  ');
    // An empty last cell leaves the separator and padding before it.
    return lastLeft ? text.trimEnd() : text;
  };
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; whole numbers below 10 of a unit keep one decimal so columns stay readable. */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} B`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}`;
}

export function formatMiB(bytes: number): string {
  return (bytes / 1048576).toFixed(2);
}

export function hex(addr: bigint): string {
  return addr.toString(16).padStart(8, '0');
}

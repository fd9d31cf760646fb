/**
 * numastat's tables (numactl 2.0.16), laid out by the same rules so that scripts reading
 * columns by position read numapol's the same way: fixed or fitted column widths with one blank
 * of gutter, dashes one shorter than their column, rows and columns without data (or, with -z,
 * only zeros) left out, and lines folded into sections that fit NUMASTAT_WIDTH.
 */
import { cFixed } from '../cfixed.js';

export type Cell =
  | { readonly kind: 'none' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'text'; readonly text: string }
  /** A rule: the character repeated over the column's width less its gutter. */
  | { readonly kind: 'rule'; readonly char: string };

const NONE: Cell = { kind: 'none' };
export const GUTTER = 1;

export class Vtab {
  readonly cells: Cell[][];
  readonly width: number[];
  readonly decimals: number[];
  readonly rightAligned: boolean[];
  /** numastat's row_ix_map: the order rows are shown in. */
  order: number[];
  /** Flags numastat keeps per row and column; they only ever accumulate, over displays too. */
  readonly rowSeen: boolean[];
  readonly rowNonZero: boolean[];
  readonly rowAlways: boolean[];
  readonly colSeen: boolean[];
  readonly colNonZero: boolean[];

  constructor(
    readonly headerRows: number,
    readonly headerCols: number,
    dataRows: number,
    dataCols: number,
  ) {
    const rows = headerRows + dataRows;
    const cols = headerCols + dataCols;
    this.cells = Array.from({ length: rows }, () => Array.from({ length: cols }, () => NONE));
    this.width = Array<number>(cols).fill(0);
    this.decimals = Array<number>(cols).fill(0);
    this.rightAligned = Array<boolean>(cols).fill(false);
    this.order = Array.from({ length: rows }, (_, i) => i);
    this.rowSeen = Array<boolean>(rows).fill(false);
    this.rowNonZero = Array<boolean>(rows).fill(false);
    this.rowAlways = Array<boolean>(rows).fill(false);
    this.colSeen = Array<boolean>(cols).fill(false);
    this.colNonZero = Array<boolean>(cols).fill(false);
  }

  get rows(): number {
    return this.cells.length;
  }

  get cols(): number {
    return this.width.length;
  }

  set(row: number, col: number, cell: Cell): void {
    this.cells[row]![col] = cell;
  }

  number(row: number, col: number): number {
    const c = this.cells[row]![col]!;
    return c.kind === 'number' ? c.value : 0;
  }

  add(row: number, col: number, v: number): void {
    this.set(row, col, { kind: 'number', value: this.number(row, col) + v });
  }

  /** Every data cell a zero number (numastat's zero_table_data). */
  zeroData(): void {
    for (let r = this.headerRows; r < this.rows; r++) for (let c = this.headerCols; c < this.cols; c++) this.set(r, c, { kind: 'number', value: 0 });
  }

  /** A cell as numastat formats it, cut to `max` characters. */
  format(cell: Cell, max: number, decimals: number): string {
    let s: string;
    switch (cell.kind) {
      case 'none':
        s = '';
        break;
      case 'number':
        s = cFixed(cell.value, decimals);
        break;
      case 'text':
        s = cell.text;
        break;
      case 'rule':
        s = cell.char.repeat(Math.max(max - GUTTER, 0));
        break;
    }
    return s.slice(0, max);
  }

  /** numastat's auto_set_col_width: the widest cell plus the gutter, within [min, max]. */
  fitColumn(col: number, min: number, max: number): void {
    let w = min;
    for (let r = 0; r < this.rows; r++) {
      const c = this.cells[r]![col]!;
      if (c.kind === 'rule') continue;
      w = Math.max(w, this.format(c, max, this.decimals[col]!).length);
    }
    this.width[col] = Math.min(w + GUTTER, max);
  }

  /** Rows from..to (shown order) by the value in `col`, largest first: numastat's selection sort. */
  sortDescending(from: number, to: number, col: number): void {
    for (let i = from; i <= to; i++) {
      let big = i;
      for (let j = i + 1; j <= to; j++) if (this.number(this.order[big]!, col) < this.number(this.order[j]!, col)) big = j;
      if (big !== i) [this.order[i], this.order[big]] = [this.order[big]!, this.order[i]!];
    }
  }

  private cellText(row: number, col: number): string {
    const w = this.width[col]!;
    const s = this.format(this.cells[row]![col]!, w, this.decimals[col]!);
    return this.rightAligned[col] ? s.padStart(w) : s.padEnd(w);
  }

  /** numastat's display_table with show_zero as -z leaves it; folded at `screenWidth`. */
  display(screenWidth: number, showZero: boolean): string {
    let seen = false;
    let nonZero = false;
    for (let r = this.headerRows; r < this.rows; r++) {
      for (let c = this.headerCols; c < this.cols; c++) {
        const cell = this.cells[r]![c]!;
        if (cell.kind === 'none' || cell.kind === 'rule') continue;
        seen = true;
        this.rowSeen[r] = true;
        this.colSeen[c] = true;
        if (cell.kind === 'text' || cell.value !== 0) {
          nonZero = true;
          this.rowNonZero[r] = true;
          this.colNonZero[c] = true;
        }
      }
    }
    if (!seen) return 'Table has no data.\n';
    if (!nonZero && !showZero) return 'Table has no non-zero data.\n';
    const showCol = (c: number): boolean => this.colSeen[c]! && (showZero || this.colNonZero[c]!);
    let out = '';
    let col = -1;
    let dataCol = this.headerCols;
    while (dataCol < this.cols) {
      if (!showCol(dataCol)) {
        dataCol++;
        continue;
      }
      if (col > 0) out += '\n';
      for (const row of this.order) {
        if (row >= this.headerRows && !this.rowAlways[row] && (!this.rowSeen[row] || (!showZero && !this.rowNonZero[row]))) continue;
        let line = '';
        let used = 0;
        for (col = 0; col < this.headerCols; col++) {
          line += this.cellText(row, col);
          used += this.width[col]!;
        }
        col = dataCol;
        for (;;) {
          if (showCol(col)) {
            line += this.cellText(row, col);
            used += this.width[col]!;
          }
          col++;
          if (col >= this.cols || used + this.width[col]! > screenWidth) break;
        }
        out += `${line}\n`;
      }
      dataCol = col;
    }
    return out;
  }
}

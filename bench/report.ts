/** One benchmark figure as `npm run bench` prints it: a value, and a ratio to a reference run. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** value / reference value measured in the same run; goal says which way is good. */
  readonly ratio?: number;
  readonly reference?: string;
  readonly goal?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export function printFigures(title: string, figures: readonly BenchFigure[]): void {
  process.stdout.write(`\n== ${title}\n`);
  for (const f of figures) {
    const ratio = f.ratio === undefined ? '' : `  ratio ${f.ratio.toFixed(3)} vs ${f.reference ?? 'reference'}`;
    const goal = f.goal === undefined ? '' : `  goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}`;
    const value = Math.abs(f.value) >= 1000 ? Math.round(f.value).toLocaleString('en-US') : f.value.toFixed(2);
    process.stdout.write(`${f.name}: ${value} ${f.unit}${ratio}${goal}${f.note ? `  (${f.note})` : ''}\n`);
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

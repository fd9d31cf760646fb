/** "did you mean": the known word a mistyped one was probably meant to be. */

/** Edits (insert, delete, substitute, swap two neighbours) from a to b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Spelling-insensitive form: `migrateRate`, `migrate_rate` and `Migrate-Rate` are one word. */
function folded(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The known word closest to `word`, or undefined when none is close: the same word spelled in
 * another case or with `_`/camelCase, else one at most a third of its letters away (at least 1).
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const f = folded(word);
  const same = known.find((k) => folded(k) === f);
  if (same !== undefined) return same;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = editDistance(f, folded(k));
    if (dist <= limit && dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** `unknown key "polcy": did you mean "policy"?` */
export function unknownKeyProblem(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return guess === undefined
    ? `unknown key ${JSON.stringify(key)}: expected one of ${known.join(', ')}`
    : `unknown key ${JSON.stringify(key)}: did you mean ${JSON.stringify(guess)}?`;
}

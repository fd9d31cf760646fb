/**
 * Which threads' batches can share one copy of injected code. The threads of one operation run
 * the same calls and differ only in where their outputs go: thread k's areas are the first
 * one's plus k times a stride. Such a batch runs the first batch's code with one amount (its
 * delta) added to the arguments that vary, so a thousand threads need one copy of the code and
 * a thousand deltas instead of a thousand copies.
 */

type Calls = readonly { readonly nr: number; readonly args: readonly bigint[] }[];

export interface SharedCode {
  /** Positions (call * 8 + argument) of the arguments to which the shared code adds a delta. */
  readonly varying: ReadonlySet<number>;
  /** Each batch's delta; undefined for a batch that needs code of its own. The first's is 0n. */
  readonly deltas: readonly (bigint | undefined)[];
}

/** Position of argument `a` of call `i` in SharedCode.varying (a syscall has at most 6). */
export function argPosition(i: number, a: number): number {
  return i * 8 + a;
}

function sameShape(a: Calls, b: Calls): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.nr !== b[i]!.nr || a[i]!.args.length !== b[i]!.args.length) return false;
  return true;
}

/**
 * How `batches` share the first one's code. A batch shares it when it has the same calls and
 * arguments except at the varying positions, where each of its arguments is the first batch's
 * plus its delta (one amount for all of them, so that the code can add it from one register).
 * A batch equal to the first shares it with delta 0; a batch that differs at only some of the
 * varying positions, or by different amounts, gets code of its own.
 */
export function shareCode(batches: readonly Calls[]): SharedCode {
  const varying = new Set<number>();
  const deltas: (bigint | undefined)[] = new Array<bigint | undefined>(batches.length).fill(undefined);
  const model = batches[0];
  if (model === undefined) return { varying, deltas };
  deltas[0] = 0n;
  // How many positions each batch differs at: it must be all the varying ones, or none.
  const differing = new Array<number>(batches.length).fill(0);
  for (let k = 1; k < batches.length; k++) {
    const b = batches[k]!;
    if (!sameShape(b, model)) continue;
    let delta: bigint | undefined;
    const at: number[] = [];
    let ok = true;
    for (let i = 0; i < b.length && ok; i++) {
      const was = model[i]!.args;
      const now = b[i]!.args;
      if (was === now) continue;
      for (let a = 0; a < now.length; a++) {
        if (now[a] === was[a]) continue;
        const d = now[a]! - was[a]!;
        if (delta === undefined) delta = d;
        else if (d !== delta) {
          ok = false;
          break;
        }
        at.push(argPosition(i, a));
      }
    }
    if (!ok) continue;
    deltas[k] = delta ?? 0n;
    differing[k] = at.length;
    for (let j = 0; j < at.length; j++) varying.add(at[j]!);
  }
  for (let k = 1; k < batches.length; k++) {
    if (differing[k] !== 0 && differing[k] !== varying.size) deltas[k] = undefined;
  }
  return { varying, deltas };
}

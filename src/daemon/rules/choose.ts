/**
 * Which rule a process falls under: rules are tried in the order the file gives them and the
 * first whose `match` holds wins, also when it is an `exclude` rule. Some processes are never
 * touched whatever the rules say: kernel threads, numapol itself, and PID 1 unless a rule names
 * it by `pid`.
 */
import type { FactsTest, MatchFacts } from './selectors.js';

export interface Matchable {
  readonly name: string;
  readonly test: FactsTest;
  /** The selectors that only exec or a comm change can change (comm, exe, cmdline, pid). */
  readonly staticTest: FactsTest;
  /** The rule also has selectors whose answer may change as the process runs (min-rss, cgroup…). */
  readonly dynamic: boolean;
  readonly exclude: boolean;
  /** The rule lists pid 1 among its `pid` selector. */
  readonly namesPid1: boolean;
}

/**
 * `recheck`: a rule tried before the chosen one (or any rule, when none was chosen) matches the
 * process but for selectors that may change later: rescans look at this process again.
 */
export type Choice<R extends Matchable> =
  | { readonly kind: 'rule'; readonly rule: R; readonly recheck: boolean }
  | { readonly kind: 'excluded'; readonly rule: R; readonly recheck: boolean }
  | { readonly kind: 'none'; readonly recheck: boolean }
  | { readonly kind: 'untouchable'; readonly reason: string };

export interface ChooseFacts extends MatchFacts {
  readonly kernelThread: boolean;
}

export function chooseRule<R extends Matchable>(rules: readonly R[], f: ChooseFacts, self: number): Choice<R> {
  if (f.kernelThread) return { kind: 'untouchable', reason: 'kernel thread' };
  if (f.pid === self) return { kind: 'untouchable', reason: 'numapol itself' };
  let recheck = false;
  for (const r of rules) {
    if (f.pid === 1 && !r.namesPid1) continue;
    if (!r.test(f)) {
      if (r.dynamic && r.staticTest(f)) recheck = true;
      continue;
    }
    return r.exclude ? { kind: 'excluded', rule: r, recheck } : { kind: 'rule', rule: r, recheck };
  }
  return f.pid === 1 ? { kind: 'untouchable', reason: 'PID 1 is touched only by a rule that names it (match: { pid: 1 })' } : { kind: 'none', recheck };
}

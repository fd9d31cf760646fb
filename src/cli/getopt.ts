/**
 * GNU getopt_long's rules, for the commands that take numactl's, numastat's and migratepages'
 * command lines: long options abbreviate to any unambiguous prefix (`--inter=all`), an option
 * with an optional value takes it only attached (`-s2`, `--opt=v`), a required value may be the
 * next word whatever it looks like (`-i -1`), and short options bundle (`-cm`, `-i0`).
 * Problems are reported in glibc's words so the drop-in front ends print what the C tools print.
 */

export type ArgKind = 'none' | 'required' | 'optional';

export interface GetoptOption {
  /** Long name, without `--`. */
  readonly name: string;
  /** One-character short form. */
  readonly short?: string;
  readonly arg: ArgKind;
  /** Only the short form exists (the C tools' letters): `--name` is not an option. */
  readonly shortOnly?: boolean;
}

/** One option as given: its long name and value. */
export interface OptionUse {
  readonly name: string;
  readonly value?: string;
}

/** What getopt said about a malformed option (glibc's text, without the program name). */
export interface GetoptProblem {
  readonly problem: string;
}

export type GetoptEvent = OptionUse | GetoptProblem;

export interface GetoptResult {
  /** Options in the order given; parsing stops after a problem, as the C tools exit there. */
  readonly events: readonly GetoptEvent[];
  /** Words that are not options, in order (`permute`); empty when options stop at the first. */
  readonly operands: readonly string[];
  /** With `stopAtOperand`: the first operand and everything after it (or after `--`). */
  readonly rest: readonly string[];
}

export interface GetoptSettings {
  /** numactl's `+`: options end at the first operand. Otherwise operands may come anywhere. */
  readonly stopAtOperand: boolean;
  /** glibc stops at the first operand when POSIXLY_CORRECT is set. */
  readonly env?: NodeJS.ProcessEnv;
}

export function isProblem(e: GetoptEvent): e is GetoptProblem {
  return 'problem' in e;
}

/** The options whose long name starts with `text`, or the one named exactly `text`. */
function matchLong(all: readonly GetoptOption[], text: string): GetoptOption[] {
  const options = all.filter((o) => !o.shortOnly);
  const exact = options.find((o) => o.name === text);
  if (exact) return [exact];
  const found = options.filter((o) => o.name.startsWith(text));
  // Two names for the same option (same short form and value kind) are no ambiguity for glibc.
  const first = found[0];
  if (first && found.every((o) => o.arg === first.arg && o.short === first.short && o.short !== undefined)) return [first];
  return found;
}

export function getoptLong(argv: readonly string[], options: readonly GetoptOption[], settings: GetoptSettings): GetoptResult {
  const events: GetoptEvent[] = [];
  const operands: string[] = [];
  const stop = settings.stopAtOperand || (settings.env ?? process.env)['POSIXLY_CORRECT'] !== undefined;
  // Where options stop early for a permuting command (POSIXLY_CORRECT), what is left is operands.
  const done = (rest: readonly string[]): GetoptResult =>
    settings.stopAtOperand ? { events, operands, rest } : { events, operands: [...operands, ...rest], rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return done(argv.slice(i + 1));
    if (!word.startsWith('-') || word === '-') {
      if (stop) return done(argv.slice(i));
      operands.push(word);
      continue;
    }
    if (word.startsWith('--')) {
      const body = word.slice(2);
      const eq = body.indexOf('=');
      const text = eq < 0 ? body : body.slice(0, eq);
      const found = matchLong(options, text);
      if (found.length === 0) {
        events.push({ problem: `unrecognized option '--${body}'` });
        return done([]);
      }
      if (found.length > 1) {
        const names = options.filter((o) => found.includes(o)).map((o) => ` '--${o.name}'`).join('');
        events.push({ problem: `option '--${body}' is ambiguous; possibilities:${names}` });
        return done([]);
      }
      const o = found[0]!;
      if (eq >= 0) {
        if (o.arg === 'none') {
          events.push({ problem: `option '--${o.name}' doesn't allow an argument` });
          return done([]);
        }
        events.push({ name: o.name, value: body.slice(eq + 1) });
      } else if (o.arg === 'required') {
        if (i + 1 >= argv.length) {
          events.push({ problem: `option '--${o.name}' requires an argument` });
          return done([]);
        }
        events.push({ name: o.name, value: argv[++i]! });
      } else {
        events.push({ name: o.name });
      }
      continue;
    }
    for (let k = 1; k < word.length; k++) {
      const c = word[k]!;
      const o = options.find((x) => x.short === c);
      if (o === undefined) {
        events.push({ problem: `invalid option -- '${c}'` });
        return done([]);
      }
      const attached = word.slice(k + 1);
      if (o.arg === 'none') {
        events.push({ name: o.name });
        continue;
      }
      if (attached !== '') {
        events.push({ name: o.name, value: attached });
      } else if (o.arg === 'optional') {
        events.push({ name: o.name });
      } else if (i + 1 < argv.length) {
        events.push({ name: o.name, value: argv[++i]! });
      } else {
        events.push({ problem: `option requires an argument -- '${c}'` });
        return done([]);
      }
      break;
    }
  }
  return done([]);
}

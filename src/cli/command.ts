/**
 * What a CLI command is: options, a `run` that returns plain data (from ops/), and a `render`
 * that turns that data into aligned text. The runner owns everything else.
 */
export type OptionSpec =
  | { type: 'boolean'; short?: string; description: string }
  | { type: 'string'; short?: string; description: string; multiple?: boolean; valueName?: string };

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandInput {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
  /** Everything after a literal `--` (the program of `run`). */
  readonly rest: readonly string[];
}

export interface Command<T> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra help text after the option list (examples, JSON fields). */
  readonly details?: string;
  readonly run: (input: CommandInput) => T | Promise<T>;
  /** Human output; `--json` prints the data itself instead. */
  readonly render: (data: T, input: CommandInput) => string;
  /**
   * Options end at the first argument that is not an option (numactl's `numactl -i all ls -l`):
   * it and everything after it go to `rest`, as after `--`.
   */
  readonly optionsFirst?: boolean;
  /** Exit status for a run that returned data (default 0); e.g. `run` passes the child's status. */
  readonly exitCode?: (data: T) => number;
}

/** Lets command modules keep their own data type while sharing one registry. */
export function defineCommand<T>(c: Command<T>): Command<unknown> {
  return c as unknown as Command<unknown>;
}

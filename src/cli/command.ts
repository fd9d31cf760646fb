/**
 * What a CLI command is: options, a `run` that returns plain data (from ops/), and a `render`
 * that turns that data into aligned text. The runner owns everything else.
 */
import type { GetoptEvent } from './getopt.js';

export type OptionSpec =
  | { type: 'boolean'; short?: string; description: string; shortOnly?: boolean }
  | {
      type: 'string';
      short?: string;
      /** Only `-x` exists, no `--name` (getopt grammars: the C tools' single letters). */
      shortOnly?: boolean;
      description: string;
      multiple?: boolean;
      valueName?: string;
      /** The value may be left out, and is given only attached (`-s2`, `--sort=2`): getopt grammars only. */
      optionalValue?: boolean;
    };

/** Where a command's output goes: the process's stdout and stderr, or a test's buffers. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandInput {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
  /** Everything after a literal `--` (the program of `run`). */
  readonly rest: readonly string[];
  /** Options in the order given (getopt grammars): numactl acts on each in turn. */
  readonly sequence?: readonly GetoptEvent[];
  /** How many words the command was given (getopt grammars): numastat's layout for none at all. */
  readonly argc?: number;
  /**
   * Where the command may write while it runs (the runner's own): for what must appear before
   * the command ends by replacing the process (`run`'s warnings before exec), and for the
   * drop-in front ends, which print as the C tools do, in order, and end with their status.
   */
  readonly io?: Io;
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
  /** Exit status for a run that returned data (default 0); e.g. the front ends' own statuses. */
  readonly exitCode?: (data: T) => number;
  /**
   * Parse with GNU getopt_long's rules (getopt.ts) instead of node's parseArgs: abbreviated long
   * options, attached optional values, and `input.sequence`. 'exact' is for the drop-in front
   * ends: only the command's own options (no --help/--json/--debug), and getopt's complaints
   * are handed to the command in `sequence`, for it to report as the C tool does.
   */
  readonly grammar?: 'getopt' | 'exact';
}

/** Lets command modules keep their own data type while sharing one registry. */
export function defineCommand<T>(c: Command<T>): Command<unknown> {
  return c as unknown as Command<unknown>;
}

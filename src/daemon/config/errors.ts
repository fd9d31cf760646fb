/**
 * What is wrong with a configuration file, and where: every error and warning names the file,
 * the setting's path (`rules[0].policy`) and the line and column of the offending text.
 */
import { NumapolError } from '../../errors.js';

/** Where in the file: 1-based line and column, and the setting's path. */
export interface ConfigLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `rules[0].policy`; `(document)` for the file as a whole, `(yaml)` for YAML syntax. */
  readonly path: string;
}

function located(where: ConfigLocation, problem: string): string {
  return `${where.file}: ${where.path}: ${problem} (line ${where.line}, column ${where.column})`;
}

/** A configuration the daemon refuses, whole: the first problem in document order. */
export class ConfigError extends NumapolError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  /** The problem alone, without the location: "node 9 does not exist: this machine has nodes 0-3". */
  readonly problem: string;

  constructor(where: ConfigLocation, problem: string, options: { cause?: unknown } = {}) {
    super('ECONFIG', located(where, problem), {
      usage: true,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { file: where.file, line: where.line, column: where.column, path: where.path, problem },
    });
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.path = where.path;
    this.problem = problem;
  }
}

/** Something the daemon accepts but the user should know: a rule that stays inactive here. */
export interface ConfigWarning extends ConfigLocation {
  readonly problem: string;
  /** `${file}: ${path}: ${problem} (line L, column C)`, as errors read. */
  readonly message: string;
}

export function configWarning(where: ConfigLocation, problem: string): ConfigWarning {
  return { file: where.file, line: where.line, column: where.column, path: where.path, problem, message: located(where, problem) };
}

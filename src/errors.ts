/**
 * Errors are values: every failure numapol reports is a NumapolError with a stable `code`,
 * an optional `cause`, and a message a user can act on. The library never prints or exits;
 * the CLI maps `usage` errors to exit status 2 and every other error to 1.
 */
export interface NumapolErrorOptions {
  cause?: unknown;
  /** True when the caller asked for something malformed (bad syntax, unknown node): exit status 2. */
  usage?: boolean;
  /** Extra machine-readable facts for `--json` error output. */
  details?: Record<string, unknown>;
}

export class NumapolError extends Error {
  readonly code: string;
  readonly usage: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: NumapolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NumapolError';
    this.code = code;
    this.usage = options.usage ?? false;
    this.details = options.details ?? {};
  }
}

/** A malformed argument or text: the user must change what they typed. */
export class UsageError extends NumapolError {
  constructor(message: string, options: Omit<NumapolErrorOptions, 'usage'> & { code?: string } = {}) {
    super(options.code ?? 'EUSAGE', message, { ...options, usage: true });
    this.name = 'UsageError';
  }
}

/** A text that does not parse: names what is wrong and at which character. */
export class ParseError extends NumapolError {
  readonly input: string;
  readonly offset: number;

  constructor(what: string, input: string, offset: number, problem: string) {
    super('EPARSE', `bad ${what} ${JSON.stringify(input)} at character ${offset + 1}: ${problem}`, {
      usage: true,
      details: { input, offset },
    });
    this.name = 'ParseError';
    this.input = input;
    this.offset = offset;
  }
}

/** A process or thread that vanished or never existed. */
export class ProcessGoneError extends NumapolError {
  readonly pid: number;
  constructor(pid: number, options: NumapolErrorOptions = {}) {
    super('ESRCH', `pid ${pid} is gone`, { ...options, details: { pid, ...options.details } });
    this.name = 'ProcessGoneError';
    this.pid = pid;
  }
}

export function isNumapolError(e: unknown): e is NumapolError {
  return e instanceof NumapolError;
}

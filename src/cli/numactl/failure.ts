/**
 * The ways numactl, numastat and migratepages end in error, and how each front end reports
 * them. The drop-in front ends print the C tools' text and exit 1 (`exactReporter`); `numapol
 * run` turns the same failures into numapol's one-line errors (2 for bad usage, else 1).
 */
import { NumapolError, UsageError } from '../../errors.js';
import { strerror } from '../../kernel/index.js';
import type { Io } from '../command.js';

export type Failure =
  /** usage_msg(message), or usage() alone: the message, a blank stdout line, the usage. */
  | { readonly kind: 'usage'; readonly message?: string }
  /** printf("<%s> is invalid"), then usage(): a node or CPU list libnuma refused. */
  | { readonly kind: 'invalid'; readonly text: string; readonly what: 'node' | 'cpu'; readonly warning?: string }
  /** getopt's complaint, then usage(). */
  | { readonly kind: 'getopt'; readonly problem: string }
  /** complain(): "numactl: message" and a blank stdout line. */
  | { readonly kind: 'complain'; readonly message: string }
  /** perror(what) after a failed call; `libnuma` is the line libnuma's numa_error printed first. */
  | { readonly kind: 'perror'; readonly what: string; readonly errno: number; readonly libnuma?: string; readonly error?: unknown }
  /** A message printed as it is (stderr), exit 1. */
  | { readonly kind: 'plain'; readonly stderr: string };

/** Unwinds a front end to its exit status once its output is written. */
export class FrontEndExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
    this.name = 'FrontEndExit';
  }
}

export interface Reporter {
  /** Ends the run: prints the failure (front ends) or throws numapol's error. Never returns. */
  fail(f: Failure): never;
  /** libnuma's numa_warn: printed once per kind by the front end; numapol run stays quiet. */
  warn(kind: string, text: string): void;
}

/** perror's line: "what: No such file or directory". */
export function perrorLine(what: string, errno: number): string {
  return `${what}: ${strerror(errno)}\n`;
}

/** The C tools' output: everything numactl would print, then exit 1. */
export function exactReporter(io: Io, prog: string, usage: string): Reporter {
  const warned = new Set<string>();
  return {
    warn(kind, text) {
      if (warned.has(kind)) return;
      warned.add(kind);
      io.stderr(`libnuma: Warning: ${text}\n`);
    },
    fail(f): never {
      switch (f.kind) {
        case 'usage':
          if (f.message !== undefined) {
            io.stderr(`${prog}: ${f.message}`);
            io.stdout('\n');
          }
          io.stderr(usage);
          break;
        case 'invalid':
          io.stdout(`<${f.text}> is invalid\n`);
          io.stderr(usage);
          break;
        case 'getopt':
          io.stderr(`${prog}: ${f.problem}\n${usage}`);
          break;
        case 'complain':
          io.stderr(`${prog}: ${f.message}`);
          io.stdout('\n');
          break;
        case 'perror':
          io.stderr(`${f.libnuma === undefined ? '' : perrorLine(f.libnuma, f.errno)}${perrorLine(f.what, f.errno)}`);
          break;
        case 'plain':
          io.stderr(f.stderr);
          break;
      }
      throw new FrontEndExit(1);
    },
  };
}

/** numapol's own errors for the same failures: `numapol: run: …`, exit 2 for bad usage. */
export function numapolReporter(cmd: string): Reporter {
  return {
    warn() {
      // libnuma's warnings are the front ends' only: numapol's errors say it all in one line.
    },
    fail(f): never {
      const trim = (s: string): string => s.replace(/\s+$/, '');
      switch (f.kind) {
        case 'usage':
          throw new UsageError(`${cmd}: ${trim(f.message ?? 'bad usage')}: see 'numapol ${cmd} --help'`);
        case 'invalid':
          throw new UsageError(`${cmd}: bad ${f.what === 'cpu' ? 'CPU' : 'node'} list '${f.text}'${f.warning ? `: ${trim(f.warning)}` : ''}`);
        case 'getopt':
          throw new UsageError(`${cmd}: ${f.problem}`);
        case 'complain':
          throw new NumapolError('EFAIL', `${cmd}: ${trim(f.message)}`);
        case 'perror':
          if (f.error instanceof NumapolError) throw f.error;
          throw new NumapolError('EFAIL', `${cmd}: ${trim(perrorLine(f.what, f.errno))}`);
        case 'plain':
          throw new NumapolError('EFAIL', `${cmd}: ${trim(f.stderr.replace(/^numactl: /, '').replace(/\n: /g, ': '))}`);
      }
    },
  };
}

/** A front end's result: its output is written, this is its exit status. */
export interface FrontEndResult {
  readonly status: number;
}

/** Runs a front end's body, turning FrontEndExit into its status. */
export function frontEnd(body: () => number): FrontEndResult {
  try {
    return { status: body() };
  } catch (e) {
    if (e instanceof FrontEndExit) return { status: e.status };
    throw e;
  }
}

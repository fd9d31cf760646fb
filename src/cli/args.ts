/** Argument readers shared by commands: they turn text into typed values or a usage error. */
import { UsageError } from '../errors.js';
import type { ParsedValues } from './command.js';

export function pidArg(positionals: readonly string[], cmd: string, index = 0): number {
  const text = positionals[index];
  if (text === undefined) throw new UsageError(`${cmd}: missing PID`);
  return intArg(text, 'PID', 1);
}

export function intArg(text: string, what: string, min = 0): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new UsageError(`${what} must be a number, not '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${what} must be at least ${min}, not '${text}'`);
  return n;
}

export function optString(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function optInt(values: ParsedValues, name: string, min = 0): number | undefined {
  const v = optString(values, name);
  return v === undefined ? undefined : intArg(v, `--${name}`, min);
}

export function optList(values: ParsedValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function noExtraArgs(positionals: readonly string[], expected: number, cmd: string): void {
  if (positionals.length > expected) throw new UsageError(`${cmd}: unexpected argument '${positionals[expected]}'`);
}

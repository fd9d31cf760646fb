/**
 * Small helpers for reading sysfs files under a root directory. Internal to src/topology/.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import { parseRanges } from '../kernel/range-list.js';

/** Options every topology reader takes. */
export interface RootOptions {
  /** Directory that stands for `/`; tests point it at a fixture tree. Default '/'. */
  root?: string;
}

export function nodeSysDir(root = '/'): string {
  return join(root, 'sys/devices/system/node');
}

/** File text, or undefined when it does not exist (ENOENT/ENOTDIR): absent means "not supported here". */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw wrapSysError(e, path);
  }
}

export function readRequired(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw wrapSysError(e, path);
  }
}

export function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw wrapSysError(e, path);
  }
}

/** A range-list file (cpulist, online, has_memory...), or undefined when absent. */
export function readRangesFile(path: string): number[] | undefined {
  const text = readOptional(path);
  if (text === undefined) return undefined;
  try {
    return parseRanges(text);
  } catch (e) {
    throw new NumapolError('EPARSE', `${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
}

export function wrapSysError(e: unknown, path: string): NumapolError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'EACCES' || code === 'EPERM') {
    return new NumapolError('EACCES', `cannot read ${path}: permission denied (run as root)`, {
      cause: e,
      details: { path },
    });
  }
  return new NumapolError(code, `cannot read ${path}: ${(e as Error).message}`, { cause: e, details: { path } });
}

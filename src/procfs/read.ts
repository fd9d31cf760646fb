/**
 * Reading /proc/PID[/task/TID]/FILE under a root, with the errors a user can act on:
 * a vanished process is ProcessGoneError, a forbidden one is EACCES naming what to do.
 */
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError, ProcessGoneError } from '../errors.js';

/** Options of every per-process reader. */
export interface ProcOptions {
  /** Directory that stands for `/`; tests point it at a fixture tree. Default '/'. */
  root?: string;
  /** Read /proc/PID/task/TID/... instead of /proc/PID/...: that thread's view (its own policy). */
  tid?: number;
}

export function procDir(root = '/'): string {
  return join(root, 'proc');
}

/** Path of /proc/PID[/task/TID]/file under the root. */
export function procPath(pid: number, file: string, opts: ProcOptions = {}): string {
  const base = join(procDir(opts.root), String(pid));
  return opts.tid === undefined ? join(base, file) : join(base, 'task', String(opts.tid), file);
}

/** Whole file text. Throws ProcessGoneError, NumapolError('EACCES') or NumapolError('ENOENT'). */
export function readProcText(pid: number, file: string, opts: ProcOptions = {}): string {
  const path = procPath(pid, file, opts);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw procError(e, pid, file, opts);
  }
}

/** Chunks of the file as they are produced (the kernel fills numa_maps a page at a time). */
export async function* readProcChunks(pid: number, file: string, opts: ProcOptions = {}): AsyncGenerator<string> {
  const path = procPath(pid, file, opts);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as string;
  } catch (e) {
    throw procError(e, pid, file, opts);
  } finally {
    stream.destroy();
  }
}

/** Map an fs error on a /proc file to the error the user should see. */
export function procError(e: unknown, pid: number, file: string, opts: ProcOptions = {}): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const who = opts.tid === undefined ? `pid ${pid}` : `thread ${opts.tid} of pid ${pid}`;
  const details = opts.tid === undefined ? { pid, file } : { pid, tid: opts.tid, file };
  if (code === 'ESRCH') return goneError(pid, opts, e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    // Tell "process is gone" apart from "this kernel has no such file" (numa_maps needs CONFIG_NUMA).
    const dir = opts.tid === undefined ? join(procDir(opts.root), String(pid)) : procPath(pid, '', opts);
    if (!existsSync(dir)) return goneError(pid, opts, e);
    return new NumapolError('ENOENT', `${who} has no /proc file ${file}: this kernel does not provide it`, {
      cause: e,
      details,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new NumapolError(
      'EACCES',
      `cannot read ${file} of ${who}: permission denied; run as root or as the same user as the process`,
      { cause: e, details },
    );
  }
  return new NumapolError(code ?? 'EIO', `cannot read ${file} of ${who}: ${(e as Error).message}`, { cause: e, details });
}

function goneError(pid: number, opts: ProcOptions, cause: unknown): ProcessGoneError {
  if (opts.tid === undefined) return new ProcessGoneError(pid, { cause });
  const err = new ProcessGoneError(opts.tid, { cause, details: { tgid: pid } });
  err.message = `thread ${opts.tid} of pid ${pid} is gone`;
  return err;
}

/** Reads until `buf` is full or the file ends, from `position`; returns the bytes read. */
export function readFully(fd: number, buf: Uint8Array, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * The first `bytes` of a /proc file. The kernel generates files such as numa_maps as they are
 * read, so a head costs only the records it holds, not a walk of the whole process.
 */
export function readProcHead(pid: number, file: string, bytes: number, opts: ProcOptions = {}): string {
  const buf = Buffer.allocUnsafe(bytes);
  try {
    const fd = openSync(procPath(pid, file, opts), 'r');
    try {
      return buf.toString('utf8', 0, readFully(fd, buf, 0));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw procError(e, pid, file, opts);
  }
}

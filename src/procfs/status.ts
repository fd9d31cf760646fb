/**
 * /proc/PID/status: identity, state, tracer, seccomp and cpuset fields.
 */
import { parseRanges } from '../kernel/range-list.js';
import { readProcText, type ProcOptions } from './read.js';

export interface ProcessStatus {
  name: string;
  /** One letter: R, S, D, T, t, Z, X, I... */
  state: string;
  /** Rest of the State line: "sleeping", "tracing stop"... */
  stateText: string;
  tgid: number;
  pid: number;
  ppid: number;
  /** Real, effective, saved, filesystem uid. */
  uid: [number, number, number, number];
  gid: [number, number, number, number];
  /** Pid of the tracer (ptrace) or 0. */
  tracerPid: number;
  /** 0 disabled, 1 strict, 2 filter; undefined on kernels without the field. */
  seccomp?: number;
  seccompFilters?: number;
  threads: number;
  /** Cpuset memory nodes the task may allocate from (Mems_allowed_list). */
  memsAllowed: number[];
  cpusAllowed: number[];
  /** Every field as the kernel printed it (tabs trimmed). */
  fields: Record<string, string>;
}

/** Parse status text. Missing fields get neutral values (0, empty) so old kernels still parse. */
export function parseStatus(text: string): ProcessStatus {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  const int = (k: string): number | undefined => {
    const v = fields[k];
    if (v === undefined || v === '') return undefined;
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? n : undefined;
  };
  const quad = (k: string): [number, number, number, number] => {
    const p = (fields[k] ?? '').split(/\s+/).map((s) => Number.parseInt(s, 10) || 0);
    return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 0];
  };
  const ranges = (k: string): number[] => {
    const v = fields[k];
    if (v === undefined) return [];
    try {
      return parseRanges(v);
    } catch {
      return [];
    }
  };
  const state = fields.State ?? '';
  const sp = state.indexOf(' ');
  const out: ProcessStatus = {
    name: fields.Name ?? '',
    state: sp < 0 ? state : state.slice(0, sp),
    stateText: sp < 0 ? '' : state.slice(sp + 1).replace(/^\(|\)$/g, ''),
    tgid: int('Tgid') ?? 0,
    pid: int('Pid') ?? 0,
    ppid: int('PPid') ?? 0,
    uid: quad('Uid'),
    gid: quad('Gid'),
    tracerPid: int('TracerPid') ?? 0,
    threads: int('Threads') ?? 1,
    memsAllowed: ranges('Mems_allowed_list'),
    cpusAllowed: ranges('Cpus_allowed_list'),
    fields,
  };
  const seccomp = int('Seccomp');
  if (seccomp !== undefined) out.seccomp = seccomp;
  const filters = int('Seccomp_filters');
  if (filters !== undefined) out.seccompFilters = filters;
  return out;
}

/** Read /proc/PID/status (or a thread's with `tid`). */
export function readStatus(pid: number, opts: ProcOptions = {}): ProcessStatus {
  return parseStatus(readProcText(pid, 'status', opts));
}

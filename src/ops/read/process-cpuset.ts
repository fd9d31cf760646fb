/**
 * The nodes and CPUs a process may be placed on: what automatic placement must never leave.
 *
 * Memory: Mems_allowed_list of /proc/PID/status, the cpuset's effective mems as the kernel
 * enforces them for the task (set_mempolicy does not change it).
 *
 * CPUs: not Cpus_allowed_list. That is the task's affinity, the cpuset's CPUs narrowed by
 * sched_setaffinity, and the affinity is exactly what a placement changes: a process the daemon
 * pinned to node 2 would otherwise look confined to node 2 for ever. The cpuset's own CPUs are the
 * cgroup's `cpuset.cpus.effective` (v2; the nearest ancestor that has the file, as a cgroup
 * without the cpuset controller is governed by its parent's) or `cpuset.effective_cpus` (v1).
 * Without either, every online CPU (the machine has no cpuset restriction we can see).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../../errors.js';
import { parseRanges } from '../../kernel/range-list.js';
import { readProcText } from '../../procfs/read.js';
import { parseStatus } from '../../procfs/status.js';
import type { OpsOptions } from '../options.js';

export interface ProcessCpuset {
  /** Nodes it may allocate memory on (Mems_allowed_list), ascending. */
  readonly mems: readonly number[];
  /** CPUs its cpuset allows, ascending (see cpusFrom). */
  readonly cpus: readonly number[];
  /** Its threads' current affinity (the main thread's Cpus_allowed_list): a subset of cpus. */
  readonly affinity: readonly number[];
  /** Where `cpus` came from: the cgroup v2 or v1 cpuset file, or the online CPUs when neither is readable. */
  readonly cpusFrom: 'cgroup-v2' | 'cgroup-v1' | 'online';
  /** The cgroup whose file gave `cpus` (v2 or v1 path), null with 'online'. */
  readonly cpusetCgroup: string | null;
}

export interface ProcessCpusetOptions extends OpsOptions {
  /** The machine's online CPUs, for processes without a readable cpuset (read once by the caller). */
  readonly onlineCpus: readonly number[];
}

/** The cpuset of `pid`. Throws ProcessGoneError when it is gone. */
export function processCpuset(pid: number, opts: ProcessCpusetOptions): ProcessCpuset {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const status = parseStatus(readProcText(pid, 'status', ro));
  const cgroups = readProcText(pid, 'cgroup', ro);
  const found = cgroupCpus(cgroups, opts.root ?? '/');
  return {
    mems: status.memsAllowed,
    cpus: found?.cpus ?? [...opts.onlineCpus],
    affinity: status.cpusAllowed,
    cpusFrom: found?.from ?? 'online',
    cpusetCgroup: found?.cgroup ?? null,
  };
}

/** The CPUs of the cpuset that governs a process with this /proc/PID/cgroup text, or undefined. */
export function cgroupCpus(cgroupText: string, root: string): { cpus: number[]; from: 'cgroup-v2' | 'cgroup-v1'; cgroup: string } | undefined {
  const fs = join(root, 'sys/fs/cgroup');
  for (const line of cgroupText.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).replace(/ \(deleted\)$/, '');
    if (line.startsWith('0::')) {
      // v2: walk up to the nearest cgroup with the cpuset controller (the root has the file
      // whenever cpuset is bound to the v2 hierarchy).
      for (let p = path; ; p = parentOf(p)) {
        const cpus = readList(join(fs, p, 'cpuset.cpus.effective'));
        if (cpus !== undefined && cpus.length > 0) return { cpus, from: 'cgroup-v2', cgroup: p };
        if (p === '/' || p === '') break;
      }
    } else if (controllers.split(',').includes('cpuset')) {
      // v1, mounted at /sys/fs/cgroup/cpuset by systemd and every distribution we know.
      const dir = join(fs, 'cpuset', path);
      const cpus = readList(join(dir, 'cpuset.effective_cpus')) ?? readList(join(dir, 'cpuset.cpus'));
      if (cpus !== undefined && cpus.length > 0) return { cpus, from: 'cgroup-v1', cgroup: path };
    }
  }
  return undefined;
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** A range-list file, or undefined when it is absent or unreadable (no controller, not mounted). */
function readList(path: string): number[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseRanges(text);
  } catch (e) {
    throw new NumapolError('EPARSE', `${path}: ${(e as Error).message}`, { cause: e, details: { path } });
  }
}

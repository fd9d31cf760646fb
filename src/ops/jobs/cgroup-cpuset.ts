/**
 * A job that is a cgroup v2 with the cpuset controller: its cpuset.cpus and cpuset.mems are the
 * lever. Writing cpuset.mems makes the kernel migrate the pages of every task in the cgroup
 * (cgroup v2 always does; v1's cpuset.memory_migrate switch does not exist there), with
 * migrate_pages' relative placement from the old mems to the new, MPOL_MF_MOVE_ALL. It does so
 * synchronously, inside the write: the write returns when every page has been tried, so its
 * duration is one unpaced step, and the job's threads can stall on pages being moved meanwhile
 * (bench/job-move.ts measures that stall against the paced path). The kernel also rebinds the
 * tasks' and VMAs' policies to the new mems.
 *
 * Files are found under ROOT/sys/fs/cgroup, the unified hierarchy's usual mount point.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NumapolError, UsageError } from '../../errors.js';
import { parseRangeList } from '../../kernel/range-list.js';
import type { OpsOptions } from '../options.js';

export interface CgroupCpuset {
  /** The cgroup as /proc/PID/cgroup names it ("/jobs/batch1"). */
  readonly path: string;
  /** Its directory. */
  readonly dir: string;
  /** cpuset.cpus and cpuset.mems as written ('' means the parent's). */
  readonly cpus: string;
  readonly mems: string;
  /** What the kernel applies: cpuset.cpus.effective, cpuset.mems.effective. */
  readonly cpusEffective: readonly number[];
  readonly memsEffective: readonly number[];
}

/** The cgroup v2 mount under `root`. */
export function cgroupMount(root = '/'): string {
  return join(root, 'sys/fs/cgroup');
}

function checkPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  if (!path.startsWith('/') || parts.some((p) => p === '..' || p === '.')) {
    throw new UsageError(`bad cgroup '${path}': give its path as /proc/PID/cgroup shows it, e.g. /jobs/batch1`);
  }
  if (parts.length === 0) throw new UsageError('the root cgroup has no cpuset of its own to change: put the job in a child cgroup');
  return `/${parts.join('/')}`;
}

function readText(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

function ranges(file: string): number[] {
  const t = readText(file);
  return t === '' ? [] : (parseRangeList(t) ?? []);
}

/**
 * The cpuset of cgroup `path`. Refuses a path that is not a cgroup v2 directory, and a cgroup
 * without the cpuset controller, saying how to enable it.
 */
export function readCgroupCpuset(cgroup: string, opts: OpsOptions = {}): CgroupCpuset {
  const path = checkPath(cgroup);
  const mount = cgroupMount(opts.root);
  const dir = join(mount, path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new NumapolError('ENOENT', `there is no cgroup ${path} (no ${dir})`, { usage: true, details: { cgroup: path } });
  }
  if (!existsSync(join(dir, 'cgroup.controllers'))) {
    throw new NumapolError('ENOTCGROUP2', `${dir} is not a cgroup v2 directory: is the unified hierarchy (cgroup2) mounted at ${mount}?`, {
      usage: true,
      details: { cgroup: path },
    });
  }
  if (!existsSync(join(dir, 'cpuset.mems'))) {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const parentDir = join(mount, parent);
    const available = existsSync(join(parentDir, 'cgroup.controllers')) && readText(join(parentDir, 'cgroup.controllers')).split(/\s+/).includes('cpuset');
    const how = available
      ? `enable it in its parent: echo +cpuset > ${join(parentDir, 'cgroup.subtree_control')}`
      : `enable it from the root down: echo +cpuset > cgroup.subtree_control in ${mount} and in every ancestor of ${path} (${parent} has no cpuset to give)`;
    throw new NumapolError('ENOCPUSET', `cgroup ${path} has no cpuset controller, so its CPUs and memory nodes cannot be moved: ${how}`, {
      usage: true,
      details: { cgroup: path, parent },
    });
  }
  return {
    path,
    dir,
    cpus: readText(join(dir, 'cpuset.cpus')),
    mems: readText(join(dir, 'cpuset.mems')),
    cpusEffective: ranges(join(dir, 'cpuset.cpus.effective')),
    memsEffective: ranges(join(dir, 'cpuset.mems.effective')),
  };
}

/** Writes one cpuset file; returns how long the write took (ms). */
export function writeCpusetFile(c: Pick<CgroupCpuset, 'dir' | 'path'>, file: 'cpuset.cpus' | 'cpuset.mems', value: string): number {
  const t0 = performance.now();
  try {
    // An empty value (the parent's CPUs or nodes) must still reach the kernel as a write.
    writeFileSync(join(c.dir, file), value === '' ? '\n' : value);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'EINVAL'
        ? 'the kernel refused the value (nodes or CPUs outside the parent cgroup, or offline)'
        : code === 'EBUSY'
          ? 'a child cgroup uses CPUs or nodes this would take away'
          : code === 'EACCES' || code === 'EPERM'
            ? 'not permitted: changing a cgroup needs root (or delegation of it)'
            : (e as Error).message;
    throw new NumapolError(code, `cannot write '${value}' to ${file} of cgroup ${c.path}: ${why}`, { cause: e, details: { cgroup: c.path, file, value } });
  }
  return performance.now() - t0;
}

/** The processes in cgroup `path` and its descendants (cgroup.procs), ascending. */
export function cgroupMembers(cgroup: string, opts: OpsOptions = {}): number[] {
  const path = checkPath(cgroup);
  const out: number[] = [];
  const walk = (dir: string): void => {
    let text: string;
    try {
      text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const l of text.split('\n')) if (/^\d+$/.test(l.trim())) out.push(Number(l.trim()));
    for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(join(dir, d.name));
  };
  const dir = join(cgroupMount(opts.root), path);
  if (!existsSync(dir)) throw new NumapolError('ENOENT', `there is no cgroup ${path} (no ${dir})`, { usage: true, details: { cgroup: path } });
  walk(dir);
  return [...new Set(out)].sort((a, b) => a - b);
}

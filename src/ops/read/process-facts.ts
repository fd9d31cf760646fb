/**
 * What the daemon's rules match on, for one process: identity (pid and start time), parent,
 * names (comm, exe, cmdline), owner, cgroup, size, and whether it is a kernel thread.
 */
import { readlinkSync } from 'node:fs';
import { ProcessGoneError } from '../../errors.js';
import { pageSize } from '../../kernel/memory.js';
import { readCgroupV2Path } from '../../procfs/cgroup.js';
import { readCmdline } from '../../procfs/processes.js';
import { procPath } from '../../procfs/read.js';
import { isKernelThread, readStat } from '../../procfs/stat.js';
import { readStatus } from '../../procfs/status.js';
import type { OpsOptions } from '../options.js';
import { userOfUid } from './passwd.js';

export { uidOfUser, userOfUid } from './passwd.js';

export interface ProcessFacts {
  pid: number;
  /** /proc/PID/stat field 22: clock ticks after boot. (pid, start) names the process for good. */
  start: number;
  ppid: number;
  comm: string;
  /** readlink /proc/PID/exe; null when unreadable (kernel thread, zombie, not allowed). */
  exe: string | null;
  cmdline: string[];
  /** Real uid (status Uid: first field). */
  uid: number;
  /** Name of uid in <root>/etc/passwd; null when not listed there. */
  user: string | null;
  /** cgroup v2 path ("/system.slice/x.service"); null on a cgroup v1 only machine. */
  cgroup: string | null;
  rssBytes: number;
  threads: number;
  /** PF_KTHREAD in stat's flags. */
  kernelThread: boolean;
}

/**
 * Facts about one process, read from /proc under `opts.root`. Throws ProcessGoneError when the
 * process is gone before or while they are read, including when its pid was reused meanwhile
 * (the start time read last differs from the one read first).
 */
export function processFacts(pid: number, opts: OpsOptions = {}): ProcessFacts {
  const root = opts.root === undefined ? {} : { root: opts.root };
  const stat = readStat(pid, root);
  const status = readStatus(pid, root);
  const cmdline = readCmdline(pid, root);
  const exe = readExe(pid, opts);
  const cgroup = readCgroupV2Path(pid, root);
  if (processStart(pid, opts) !== stat.starttime) throw new ProcessGoneError(pid);
  const uid = status.uid[0];
  return {
    pid,
    start: stat.starttime,
    ppid: stat.ppid,
    comm: stat.comm,
    exe,
    cmdline,
    uid,
    user: userOfUid(uid, opts),
    cgroup,
    rssBytes: rssBytes(status.fields['VmRSS'], stat.rss),
    threads: stat.numThreads,
    kernelThread: isKernelThread(stat),
  };
}

/** The start time of `pid` (stat field 22), or undefined when there is no such process. One read. */
export function processStart(pid: number, opts: OpsOptions = {}): number | undefined {
  try {
    return readStat(pid, opts.root === undefined ? {} : { root: opts.root }).starttime;
  } catch (e) {
    if (e instanceof ProcessGoneError) return undefined;
    throw e;
  }
}

/** The target of /proc/PID/exe; null when there is none to read (kernel thread, zombie) or we may not. */
function readExe(pid: number, opts: OpsOptions): string | null {
  try {
    return readlinkSync(procPath(pid, 'exe', opts.root === undefined ? {} : { root: opts.root }));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ESRCH') return null;
    throw e;
  }
}

/**
 * status VmRSS (kB) is exact and needs no page size (a fixture tree may come from a machine with
 * another one); kernel threads and zombies have no VmRSS line, and no pages.
 */
function rssBytes(vmRss: string | undefined, rssPages: number): number {
  const kb = vmRss === undefined ? NaN : Number.parseInt(vmRss, 10);
  if (Number.isFinite(kb)) return kb * 1024;
  return rssPages === 0 ? 0 : rssPages * pageSize();
}

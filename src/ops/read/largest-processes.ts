/** The processes with the most resident memory, from each one's stat (kernel threads have none). */
import { ProcessGoneError } from '../../errors.js';
import { listPids } from '../../procfs/processes.js';
import { readStat } from '../../procfs/stat.js';
import { pageSize } from '../../kernel/index.js';
import type { OpsOptions } from '../options.js';

export function largestProcesses(n: number, opts: OpsOptions = {}): { pid: number; comm: string; rssBytes: number }[] {
  const ro = opts.root === undefined ? {} : { root: opts.root };
  const ps = pageSize();
  const all: { pid: number; comm: string; rssBytes: number }[] = [];
  for (const pid of listPids(ro)) {
    try {
      const s = readStat(pid, ro);
      if (s.rss > 0) all.push({ pid, comm: s.comm, rssBytes: s.rss * ps });
    } catch (e) {
      if (!(e instanceof ProcessGoneError)) throw e;
    }
  }
  return all.sort((a, b) => b.rssBytes - a.rssBytes || a.pid - b.pid).slice(0, n);
}

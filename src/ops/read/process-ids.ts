/** Every process on the machine by pid (thread-group leaders), for callers above procfs. */
import { listPids } from '../../procfs/processes.js';
import type { OpsOptions } from '../options.js';

export function processIds(opts: OpsOptions = {}): number[] {
  return listPids(opts.root === undefined ? {} : { root: opts.root });
}

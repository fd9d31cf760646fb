/** cgroup v2 with the cpuset controller, for tests and benchmarks of cgroup jobs in the guest. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRangeList } from '../../src/kernel/range-list.js';

export const CGROUP = '/sys/fs/cgroup';

/** Node `n`'s CPUs, from sysfs. */
export function nodeCpus(n: number): number[] {
  return parseRangeList(readFileSync(`/sys/devices/system/node/node${n}/cpulist`, 'utf8')) ?? [];
}

/**
 * cgroup2 at /sys/fs/cgroup (mounted here when the guest did not), with cpuset given to children.
 * Returns what stands in the way, or undefined.
 */
export function cpusetCgroups(): string | undefined {
  if (!existsSync(join(CGROUP, 'cgroup.controllers'))) {
    mkdirSync(CGROUP, { recursive: true });
    if (spawnSync('mount', ['-t', 'cgroup2', 'none', CGROUP], { stdio: 'inherit' }).status !== 0) return 'cannot mount cgroup2';
  }
  const ctl = readFileSync(join(CGROUP, 'cgroup.subtree_control'), 'utf8');
  if (!ctl.split(/\s+/).includes('cpuset')) writeFileSync(join(CGROUP, 'cgroup.subtree_control'), '+cpuset');
  return undefined;
}

/** Removes the cgroup at `path` once its last task has left (a killed one leaves shortly after). */
export async function removeCgroup(path: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A thread's own mempolicy as /proc shows it, without stopping the thread. numa_maps prints, for
 * each VMA, the VMA's policy or else the task's; VMA policies are rare (mbind), so the policy most
 * VMAs show is the task's. Only the first block of the file is read: the kernel generates
 * numa_maps lazily, so this walks the page tables of a few VMAs, not of the whole process.
 */
import { numaMapsLinePolicy } from '../procfs/numa-maps.js';
import { readProcHead } from '../procfs/read.js';

/**
 * One page: the kernel fills a numa_maps read a page at a time, walking each VMA's page tables
 * for its counts, so a second page doubles the cost (0.1-0.3 ms a thread) for a vote of ~80
 * lines instead of ~40. `show --exact` asks the threads themselves.
 */
const HEAD_BYTES = 4096;

export function inferThreadPolicyText(pid: number, tid: number, root = '/'): string {
  const text = readProcHead(pid, 'numa_maps', HEAD_BYTES, { root, tid });
  const lines = text.split('\n');
  // A head that stops inside a line (numa_maps ends each with a newline): drop that part. Not
  // text.length === HEAD_BYTES: a path in UTF-8 makes the string shorter than the bytes.
  lines.pop();
  const counts = new Map<string, number>();
  let best = 'default';
  let bestCount = 0;
  for (const line of lines) {
    const policy = numaMapsLinePolicy(line);
    if (policy === undefined) continue;
    const c = (counts.get(policy) ?? 0) + 1;
    counts.set(policy, c);
    if (c > bestCount) {
      best = policy;
      bestCount = c;
    }
  }
  return best;
}

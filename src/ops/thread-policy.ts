/**
 * A thread's own mempolicy as /proc shows it, without stopping the thread. numa_maps prints, for
 * each VMA, the VMA's policy or else the task's; VMA policies are rare (mbind), so the policy most
 * VMAs show is the task's. Only the first block of the file is read: the kernel generates
 * numa_maps lazily, so this walks the page tables of a few VMAs, not of the whole process.
 */
import { parseNumaMapsLine } from '../procfs/numa-maps.js';
import { readProcHead } from '../procfs/read.js';

const HEAD_BYTES = 8192;

export function inferThreadPolicyText(pid: number, tid: number, root = '/'): string {
  const text = readProcHead(pid, 'numa_maps', HEAD_BYTES, { root, tid });
  const lines = text.split('\n');
  if (text.length === HEAD_BYTES) lines.pop(); // the last line may be cut short
  const counts = new Map<string, number>();
  let best = 'default';
  let bestCount = 0;
  for (const line of lines) {
    const entry = parseNumaMapsLine(line);
    if (entry === undefined) continue;
    const c = (counts.get(entry.policyText) ?? 0) + 1;
    counts.set(entry.policyText, c);
    if (c > bestCount) {
      best = entry.policyText;
      bestCount = c;
    }
  }
  return best;
}

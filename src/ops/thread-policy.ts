/**
 * A thread's own mempolicy as /proc shows it, without stopping the thread. numa_maps prints, for
 * each VMA, the VMA's policy or else the task's; VMA policies are rare (mbind), so the policy most
 * VMAs show is the task's. Only the first block of the file is read: the kernel generates
 * numa_maps lazily, so this walks the page tables of a few VMAs, not of the whole process.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError } from '../errors.js';
import { parseNumaMapsLine } from '../procfs/numa-maps.js';

const HEAD_BYTES = 8192;

export function inferThreadPolicyText(pid: number, tid: number, root = '/'): string {
  const path = join(root, 'proc', String(pid), 'task', String(tid), 'numa_maps');
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(HEAD_BYTES);
      let len = 0;
      // Fill the whole head: a seq_file read returns one record batch at a time.
      for (;;) {
        const n = readSync(fd, buf, len, HEAD_BYTES - len, null);
        if (n <= 0 || (len += n) >= HEAD_BYTES) break;
      }
      text = buf.toString('utf8', 0, len);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH') {
      throw new ProcessGoneError(tid === pid ? pid : tid, { cause: e });
    }
    throw e;
  }
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

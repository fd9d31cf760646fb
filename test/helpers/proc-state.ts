/** What /proc says of a test's child: who traces it, and whether it has exited unreaped. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The pid tracing `pid` (0: none; also 0 once it is gone). */
export function tracerOf(pid: number): number {
  try {
    return Number(/^TracerPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A child that has exited but was not reaped yet (the caller's loop is blocked meanwhile), or is gone. */
export function exited(c: ChildProcess): boolean {
  try {
    const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

import { readFileSync } from 'node:fs';
import type { StoppedProcess } from '../../src/inject/index.js';

export const MPOL_DEFAULT = 0;
export const MPOL_BIND = 2;

/** The policy word of the first line of a thread's numa_maps: its policy for VMAs without one. */
export function threadPolicyWord(pid: number, tid: number): string {
  const first = readFileSync(`/proc/${pid}/task/${tid}/numa_maps`, 'utf8').split('\n')[0] ?? '';
  return first.split(' ')[1] ?? '';
}

/** Sets MPOL_BIND {node 0} in every stopped thread; returns the failures. */
export function bindAllToNode0(s: StoppedProcess): string[] {
  const mask = Buffer.alloc(8);
  mask[0] = 1;
  const addr = s.scratch(mask);
  const failures: string[] = [];
  for (const tid of s.threads) {
    const r = s.remoteSyscall(tid, 'set_mempolicy', [MPOL_BIND, addr, 65]);
    if (!r.ok) failures.push(`${tid}: ${r.errnoName}`);
  }
  return failures;
}

export function resetAll(s: StoppedProcess): void {
  for (const tid of s.threads) s.remoteSyscall(tid, 'set_mempolicy', [MPOL_DEFAULT, 0, 0]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function tracerOf(pid: number): number {
  const m = /^TracerPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? -1);
}

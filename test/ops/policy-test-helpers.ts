/** Readers for the policy-changing ops tests, independent of src/. */
import { readFileSync, readdirSync } from 'node:fs';

export function tidsOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

/** The policy word numa_maps prints for the VMA starting at `addr` (hex, no 0x). */
export function vmaPolicyWord(pid: number, addr: bigint): string | undefined {
  const want = `${addr.toString(16)} `;
  const line = readFileSync(`/proc/${pid}/numa_maps`, 'utf8').split('\n').find((l) => l.startsWith(want));
  return line?.split(' ')[1];
}

/** The first numa_maps line's policy: the task's policy for VMAs without their own. */
export function taskPolicyWord(pid: number, tid: number): string {
  return (readFileSync(`/proc/${pid}/task/${tid}/numa_maps`, 'utf8').split('\n')[0] ?? '').split(' ')[1] ?? '';
}

export function heapStart(pid: number): bigint {
  const line = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith('[heap]'));
  if (!line) throw new Error(`pid ${pid} has no heap`);
  return BigInt(`0x${line.split('-')[0]}`);
}

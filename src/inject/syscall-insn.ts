/**
 * Finds an existing syscall instruction in the target to point the instruction pointer at:
 * we never write to code pages. [vdso] has one on x86_64 (clock_gettime's fallback path);
 * otherwise libc's executable mapping, then any executable mapping.
 */
import { readFileSync } from 'node:fs';
import { NumapolError, ProcessGoneError } from '../errors.js';
import { processVmRead } from '../kernel/remote-memory.js';
import type { Arch } from './arch/index.js';

interface ExecMapping {
  start: bigint;
  end: bigint;
  path: string;
}

function executableMappings(pid: number): ExecMapping[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    throw new ProcessGoneError(pid);
  }
  const out: ExecMapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m === null || m[3]?.[2] !== 'x' || m[3]?.[0] !== 'r') continue;
    out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), path: m[4] ?? '' });
  }
  return out;
}

function rank(m: ExecMapping): number {
  if (m.path === '[vdso]') return 0;
  if (/\/libc[.-][^/]*$/.test(m.path)) return 1;
  if (m.path === '[vsyscall]') return 9; // emulated or execute-only: unusable
  return 2;
}

const CHUNK = 1 << 20;

/** Address of a syscall instruction in the address space of `pid` (any tid of the process works). */
export function findSyscallInstruction(pid: number, arch: Arch): bigint {
  const all = executableMappings(pid);
  // No mappings at all: the address space is gone (the process is exiting).
  if (all.length === 0) throw new ProcessGoneError(pid);
  const maps = all.filter((m) => rank(m) < 9).sort((a, b) => rank(a) - rank(b));
  const insn = arch.syscallInsn;
  for (const m of maps) {
    for (let at = m.start; at < m.end; at += BigInt(CHUNK)) {
      const len = Number(m.end - at < BigInt(CHUNK + insn.length) ? m.end - at : BigInt(CHUNK + insn.length));
      let bytes: Buffer;
      try {
        bytes = processVmRead(pid, at, len);
      } catch {
        break;
      }
      for (let i = bytes.indexOf(insn); i !== -1; i = bytes.indexOf(insn, i + 1)) {
        if ((at + BigInt(i)) % BigInt(arch.insnAlign) === 0n) return at + BigInt(i);
      }
    }
  }
  throw new NumapolError('ENOINSN', `pid ${pid} has no readable syscall instruction in its executable mappings`, { details: { pid } });
}

/**
 * Finds an existing syscall instruction in the target to point the instruction pointer at:
 * we never write to code pages. Most stopped programs have a thread blocked in a syscall: the
 * instruction it entered by is right behind its instruction pointer, executable since it just
 * ran, and found with one register read and one PTRACE_PEEKTEXT. Otherwise [vdso] has one on
 * x86_64 (clock_gettime's fallback path), then libc's executable mapping, then any other.
 */
import { NumapolError, ProcessGoneError } from '../errors.js';
import { peekWord } from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { readMaps, type MapsEntry } from '../procfs/maps.js';
import { nativeRegs, type TracedThread } from './thread-state.js';
import type { Arch } from './arch/index.js';

/** A line of /proc/PID/maps, as much of it as the engine needs (procfs reads the whole line). */
export type Mapping = Pick<MapsEntry, 'start' | 'end' | 'perms' | 'path'> & Partial<Pick<MapsEntry, 'offset' | 'dev' | 'inode'>>;

function rank(m: Mapping): number {
  if (m.path === '[vdso]') return 0;
  if (/\/libc[.-][^/]*$/.test(m.path)) return 1;
  if (m.path === '[vsyscall]') return 9; // emulated or execute-only: unusable
  return 2;
}

const CHUNK = 1 << 20;

/** Address of a syscall instruction in the address space of `pid` (any tid of the process works). */
export function findSyscallInstruction(pid: number, arch: Arch, mappings: readonly Mapping[] = readMaps(pid)): bigint {
  const all = mappings.filter((m) => m.perms[0] === 'r' && m.perms[2] === 'x');
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

/**
 * Whether `insn` is at `at` in stopped thread `tid`. One PTRACE_PEEKTEXT of the aligned word
 * around it (an aligned word never crosses into a page that may be unmapped), which costs less
 * than a process_vm_readv with its iovecs; an instruction across two words is read that way.
 */
export function hasInsnAt(tid: number, at: bigint, insn: Buffer): boolean {
  const base = at & ~7n;
  const off = Number(at - base);
  if (off + insn.length > 8) return processVmRead(tid, at, insn.length).equals(insn);
  const word = peekWord(tid, base);
  for (let i = 0; i < insn.length; i++) {
    if (Number((word >> BigInt(8 * (off + i))) & 0xffn) !== insn[i]) return false;
  }
  return true;
}

/**
 * The syscall instruction a stopped thread that was inside a syscall entered the kernel by,
 * when its bytes are there; undefined otherwise (the caller then scans the mappings).
 */
export function syscallInsnBehind(t: TracedThread, arch: Arch): bigint | undefined {
  if (arch.syscallInsnBehind === undefined || !t.ready) return undefined;
  const regs = nativeRegs(t, arch);
  if (regs === undefined) return undefined;
  try {
    const at = arch.syscallInsnBehind(regs);
    if (at === undefined || at % BigInt(arch.insnAlign) !== 0n) return undefined;
    return hasInsnAt(t.tid, at, arch.syscallInsn) ? at : undefined;
  } catch {
    return undefined;
  }
}

/** The addresses of a one-shot call's safety net (arch.netGadgets, x86_64-frame.ts). */
export interface NetGadgets {
  readonly syscallRet: bigint;
  readonly sigreturn: bigint;
}

/**
 * Finds the safety net's two byte sequences in the executable mappings of `pid` ([vdso], libc,
 * then the others, as for the syscall instruction); undefined when the process has either not.
 */
export function findNetGadgets(pid: number, arch: Arch, mappings?: readonly Mapping[]): NetGadgets | undefined {
  const want = arch.netGadgets;
  if (want === undefined) return undefined;
  // Where they were last time, if they are still there (two small reads instead of a scan).
  const last = knownGadgets.get(pid);
  if (last !== undefined && holdsBytes(pid, last.syscallRet, [want.syscallRet]) && holdsBytes(pid, last.sigreturn, want.sigreturn)) return last;
  const maps = mappings ?? readMaps(pid);
  // A process new to us mostly maps the same libc and [vdso] as one seen before: where the
  // sequences lay in those, checked with two small reads, spares reading megabytes of code.
  const found = fromKnownFiles(pid, want, maps) ?? scanNetGadgets(pid, want, maps);
  knownGadgets.delete(pid);
  if (found !== undefined) {
    knownGadgets.set(pid, found);
    if (knownGadgets.size > 4096) knownGadgets.delete(knownGadgets.keys().next().value as number);
    learnFiles(found, maps);
  }
  return found;
}

/** The net's addresses per pid, as last found (checked again before use). */
const knownGadgets = new Map<number, NetGadgets>();

/**
 * Where each sequence was found, per executable mapping of a file (device, inode, file offset,
 * size) or [vdso], as an offset from the mapping's start: the same file mapped by another
 * process holds it at the same offset. Checked again before use, like knownGadgets.
 */
const inFiles = new Map<string, { syscallRet?: bigint; sigreturn?: bigint }>();

/** A mapping's identity for inFiles; undefined for anonymous memory (JIT code and the like). */
function fileKey(m: Mapping): string | undefined {
  const size = m.end - m.start;
  if (m.path === '[vdso]') return `[vdso] ${size}`;
  if (m.inode === undefined || m.inode === 0 || m.dev === undefined || m.offset === undefined || !m.path.startsWith('/')) return undefined;
  return `${m.dev} ${m.inode} ${m.offset} ${size} ${m.path}`;
}

function learnFiles(g: NetGadgets, maps: readonly Mapping[]): void {
  for (const [kind, at] of [['syscallRet', g.syscallRet], ['sigreturn', g.sigreturn]] as const) {
    const m = maps.find((x) => at >= x.start && at < x.end);
    const key = m === undefined ? undefined : fileKey(m);
    if (m === undefined || key === undefined) continue;
    const entry = inFiles.get(key) ?? {};
    entry[kind] = at - m.start;
    inFiles.set(key, entry);
    if (inFiles.size > 256) inFiles.delete(inFiles.keys().next().value as string);
  }
}

function fromKnownFiles(pid: number, want: NonNullable<Arch['netGadgets']>, maps: readonly Mapping[]): NetGadgets | undefined {
  if (inFiles.size === 0) return undefined;
  let syscallRet: bigint | undefined;
  let sigreturn: bigint | undefined;
  for (const m of maps) {
    if (m.perms[0] !== 'r' || m.perms[2] !== 'x') continue;
    const key = fileKey(m);
    const known = key === undefined ? undefined : inFiles.get(key);
    if (known === undefined) continue;
    if (syscallRet === undefined && known.syscallRet !== undefined && holdsBytes(pid, m.start + known.syscallRet, [want.syscallRet])) syscallRet = m.start + known.syscallRet;
    if (sigreturn === undefined && known.sigreturn !== undefined && holdsBytes(pid, m.start + known.sigreturn, want.sigreturn)) sigreturn = m.start + known.sigreturn;
    if (syscallRet !== undefined && sigreturn !== undefined) return { syscallRet, sigreturn };
  }
  return undefined;
}

function holdsBytes(pid: number, at: bigint, patterns: readonly Buffer[]): boolean {
  try {
    const longest = Math.max(...patterns.map((p) => p.length));
    const got = processVmRead(pid, at, longest);
    return patterns.some((p) => got.subarray(0, p.length).equals(p));
  } catch {
    return false;
  }
}

function scanNetGadgets(pid: number, want: NonNullable<Arch['netGadgets']>, mappings: readonly Mapping[]): NetGadgets | undefined {
  const maps = mappings.filter((m) => m.perms[0] === 'r' && m.perms[2] === 'x' && rank(m) < 9).sort((a, b) => rank(a) - rank(b));
  let syscallRet: bigint | undefined;
  let sigreturn: bigint | undefined;
  const longest = Math.max(want.syscallRet.length, ...want.sigreturn.map((b) => b.length));
  for (const m of maps) {
    for (let at = m.start; at < m.end && (syscallRet === undefined || sigreturn === undefined); at += BigInt(CHUNK)) {
      const len = Number(m.end - at < BigInt(CHUNK + longest) ? m.end - at : BigInt(CHUNK + longest));
      let bytes: Buffer;
      try {
        bytes = processVmRead(pid, at, len);
      } catch {
        break;
      }
      if (syscallRet === undefined) {
        const i = bytes.indexOf(want.syscallRet);
        if (i !== -1) syscallRet = at + BigInt(i);
      }
      for (const pattern of want.sigreturn) {
        if (sigreturn !== undefined) break;
        const i = bytes.indexOf(pattern);
        if (i !== -1) sigreturn = at + BigInt(i);
      }
    }
    if (syscallRet !== undefined && sigreturn !== undefined) return { syscallRet, sigreturn };
  }
  return undefined;
}

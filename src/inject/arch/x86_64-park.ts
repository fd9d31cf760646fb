/**
 * x86_64 machine code that runs a thread's batch of syscalls and then parks the thread where
 * numapol's death cannot hurt it. One copy serves every thread and every batch: the code is
 * data-driven (each thread's slot area says what to run), so it is written once into a page
 * that stays in the process (see region.ts), and no code is written per call.
 *
 * The tracer points the thread at `entry` with its slot area in rbx (every other register is
 * the thread's own, its stack pointer included) and lets it run:
 *
 * 1. rt_sigprocmask(SIG_SETMASK, all, &old): the program's signals wait while our calls run.
 * 2. For each call of the slot's table: load the number and six arguments, add the thread's
 *    delta to the arguments its table marks as varying (each thread's own output areas), run
 *    it, store rax in the call's result slot; with stopAtErrno, stop at a result in
 *    [-4095, -1].
 * 3. Park: the thread sends itself a signal P chosen by the tracer among the signals whose
 *    delivery does nothing in this process (ignored, or default action "ignore" with no
 *    handler; see park-signal.ts), then puts its own mask back. P is delivered at that very
 *    moment, so a thread still traced stops in P's signal-delivery-stop, inside get_signal,
 *    at `trap1` (or `trap2`). The tracer restores the thread's registers there and resumes it
 *    with signal 0 when it is done with the whole process: the kernel then applies its
 *    syscall-restart rules to those registers, exactly as after any ptrace stop.
 *    If numapol is dead, or dies while the thread is parked, the kernel delivers P instead:
 *    nothing happens, and the thread goes on. Either with the registers the tracer already put
 *    back (restart rules included), or, when it had not yet, into step 4 below.
 *    P is one the program does not block when there is one (`trap1`: the mask put back is
 *    exactly the program's). When every candidate is blocked, the thread unblocks only P for a
 *    moment (`trap2`), and the tracer puts the program's mask back through an event stop.
 * 4. Tail, reached only if nobody took the thread out of its park (numapol is gone): the code
 *    puts back the thread's own state itself. The registers it resumes with (its own, the
 *    kernel's restart rules for an interrupted syscall applied by the tracer beforehand: see
 *    x86_64.ts resumeRegs) are in the slot area. The stack pointer moves to a 16-byte frame
 *    right below the program's red zone (rflags, then rip: where a signal frame would go)
 *    before the program's mask is restored, so a signal delivered then lands below it; the
 *    general registers come back from the slot area, the flags with popfq, rbx last, and
 *    `ret 128` jumps to rip and leaves the stack pointer exactly the thread's own. No
 *    rt_sigreturn: it would reset the restart block of a thread interrupted in nanosleep,
 *    clock_nanosleep, futex or poll with a timeout (that syscall would then fail with EINTR),
 *    clear the FPU state unless given a full xsave image, and set the alternate signal stack.
 *    No iretq either: QEMU's software emulation kills a process that runs it in user mode.
 *
 * The code touches no floating-point or vector register, and writes only to the thread's slot
 * area and, in the tail, the 16-byte frame. A program that single-steps itself (TF set in its
 * own flags) takes its trap one instruction early, in the tail.
 */
import { ALL_SIGNALS } from '../signal-masks.js';

/**
 * The first 16 bytes of the code page: "numapol\0" and a 64-bit FNV-1a hash of everything after
 * them, so that a later numapol knows the page holds exactly the code it would write (another
 * build's code has another hash) by reading 16 bytes.
 */
export const PARK_MAGIC_PREFIX = Buffer.from('numapol\0', 'latin1');
export const PARK_MAGIC_BYTES = 16;

function fnv1a64(b: Buffer): bigint {
  let h = 0xcbf29ce484222325n;
  for (const x of b) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return h;
}

/** Word offsets in a thread's slot area (rbx points at it while the code runs). */
export const SLOT = {
  /** Address of the thread's call table: 8 words a call (nr, six arguments, varying-argument bits). */
  table: 0,
  ncalls: 8,
  /** Added to the arguments whose bit is set in the call's last word. */
  delta: 16,
  /** Bit 0: stop at the first errno. */
  flags: 24,
  /** Signals the code may park with (bit n-1 = signal n). */
  candidates: 32,
  /** Raw result of the code's own rt_sigprocmask that blocks everything (not-run until it ran). */
  block: 40,
  /** The thread's signal mask as the code found it: the program's own. */
  old: 48,
  /** The mask of a trap2 park (everything blocked but P). */
  parkMask: 56,
  /** Bit number of the signal the code parked with (P - 1). */
  signal: 64,
  /** The registers to resume with (user_regs_struct from r15 through ss, 21 words). */
  regs: 72,
  results: 72 + 21 * 8,
} as const;

export const TABLE_WORDS = 8;

/** Bytes of a slot area for `ncalls` calls. */
export function slotSize(ncalls: number): number {
  return SLOT.results + 8 * ncalls;
}

/** Offsets of the code's landmarks in the code page. */
export interface ParkLayout {
  readonly code: Buffer;
  readonly entry: number;
  /** The instruction right after the rt_sigprocmask that unblocks P: where a parked thread stands. */
  readonly trap1: number;
  readonly trap2: number;
  /** Where the code puts back the thread's registers by itself (numapol gone). */
  readonly tail: number;
  /** The `ret 128` that ends the tail: a thread standing here has every register back but rip and rsp. */
  readonly ret: number;
  readonly allMask: number;
}

// Registers by their encoding number.
const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
const R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

/** user_regs_struct offsets (x86_64.ts X86_64_REGS), repeated for the slot's copy. */
const REG_AT: Record<number, number> = {
  [R15]: 0, [R14]: 8, [R13]: 16, [R12]: 24, [RBP]: 32, [RBX]: 40, [R11]: 48, [R10]: 56, [R9]: 64, [R8]: 72,
  [RAX]: 80, [RCX]: 88, [RDX]: 96, [RSI]: 104, [RDI]: 112,
};
const RIP_AT = 128, RFLAGS_AT = 144, RSP_AT = 152;

const NR_RT_SIGPROCMASK = 14;
const NR_GETPID = 39;
const NR_GETTID = 186;
const NR_TGKILL = 234;
const SIG_SETMASK = 2;
/** The tail's frame (rflags, rip) lies right below the program's red zone. */
const RED_ZONE = 128;
export const TAIL_FRAME_BELOW_SP = RED_ZONE + 16;

/** A tiny assembler: bytes, labels and 32-bit relative jumps fixed up at the end. */
class Asm {
  readonly bytes: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string }[] = [];

  get at(): number {
    return this.bytes.length;
  }

  emit(...b: number[]): void {
    for (const x of b) this.bytes.push(x & 0xff);
  }

  u32(v: number): void {
    this.emit(v, v >>> 8, v >>> 16, v >>> 24);
  }

  label(name: string): void {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.at);
  }

  /** A rel32 to `label`, for an instruction that ends right after it. */
  rel32(label: string): void {
    this.fixups.push({ at: this.at, label });
    this.u32(0);
  }

  offsetOf(name: string): number {
    const at = this.labels.get(name);
    if (at === undefined) throw new Error(`no label ${name}`);
    return at;
  }

  finish(): Buffer {
    const out = Buffer.from(this.bytes);
    for (const f of this.fixups) out.writeInt32LE(this.offsetOf(f.label) - (f.at + 4), f.at);
    return out;
  }

  private rex(w: boolean, reg: number, base: number): void {
    const r = (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (base >= 8 ? 1 : 0);
    if (r !== 0) this.emit(0x40 | r);
  }

  /** ModRM for [base + disp32] (base never rsp/r12, which would need a SIB byte). */
  private mem(reg: number, base: number, disp: number): void {
    if ((base & 7) === 4) throw new Error('rsp/r12 as a base needs a SIB byte');
    this.emit(0x80 | ((reg & 7) << 3) | (base & 7));
    this.u32(disp);
  }

  /** mov r64, [base + disp] */
  load(reg: number, base: number, disp: number): void {
    this.rex(true, reg, base);
    this.emit(0x8b);
    this.mem(reg, base, disp);
  }

  /** mov [base + disp], r64 */
  store(base: number, disp: number, reg: number): void {
    this.rex(true, reg, base);
    this.emit(0x89);
    this.mem(reg, base, disp);
  }

  /** lea r64, [base + disp] */
  lea(reg: number, base: number, disp: number): void {
    this.rex(true, reg, base);
    this.emit(0x8d);
    this.mem(reg, base, disp);
  }

  /** lea r64, [rip + label] */
  leaRip(reg: number, label: string): void {
    this.rex(true, reg, 0);
    this.emit(0x8d, 0x05 | ((reg & 7) << 3));
    this.rel32(label);
  }

  /** mov r64, [rip + label] */
  loadRip(reg: number, label: string): void {
    this.rex(true, reg, 0);
    this.emit(0x8b, 0x05 | ((reg & 7) << 3));
    this.rel32(label);
  }

  /** mov r32, imm32 (zero-extends into the 64-bit register) */
  movImm(reg: number, imm: number): void {
    this.rex(false, 0, reg);
    this.emit(0xb8 + (reg & 7));
    this.u32(imm);
  }

  /** A reg-reg instruction `op rm, reg` (mov 89, add 01, and 21, test 85). */
  rr(op: number, rm: number, reg: number): void {
    this.rex(true, reg, rm);
    this.emit(op, 0xc0 | ((reg & 7) << 3) | (rm & 7));
  }

  /** bsf dst, src */
  bsf(dst: number, src: number): void {
    this.rex(true, dst, src);
    this.emit(0x0f, 0xbc, 0xc0 | ((dst & 7) << 3) | (src & 7));
  }

  /** btr rm, reg (clears bit `reg` of rm) */
  btr(rm: number, reg: number): void {
    this.rex(true, reg, rm);
    this.emit(0x0f, 0xb3, 0xc0 | ((reg & 7) << 3) | (rm & 7));
  }

  /** bt rm, imm8 */
  btImm(rm: number, bit: number): void {
    this.rex(true, 0, rm);
    this.emit(0x0f, 0xba, 0xe0 | (rm & 7), bit);
  }

  /** Group-1 instruction with a sign-extended imm8: add (/0), and (/4), cmp (/7). */
  imm8(ext: number, rm: number, imm: number): void {
    this.rex(true, 0, rm);
    this.emit(0x83, 0xc0 | (ext << 3) | (rm & 7), imm);
  }

  /** Unary group 3/5 instruction: not (F7 /2), inc (FF /0), dec (FF /1). */
  unary(op: number, ext: number, rm: number): void {
    this.rex(true, 0, rm);
    this.emit(op, 0xc0 | (ext << 3) | (rm & 7));
  }

  /** test qword [base + disp], imm32 */
  testMemImm(base: number, disp: number, imm: number): void {
    this.rex(true, 0, base);
    this.emit(0xf7);
    this.mem(0, base, disp);
    this.u32(imm);
  }

  /** cmp rax, imm32 (sign-extended) */
  cmpRaxImm(imm: number): void {
    this.emit(0x48, 0x3d);
    this.u32(imm);
  }

  /** jcc rel32 (cc: 0x2 below, 0x4 zero, 0x5 not zero) or jmp rel32 (cc undefined). */
  jump(label: string, cc?: number): void {
    if (cc === undefined) this.emit(0xe9);
    else this.emit(0x0f, 0x80 | cc);
    this.rel32(label);
  }

  syscall(): void {
    this.emit(0x0f, 0x05);
  }

  /** rt_sigprocmask(SIG_SETMASK, rsi, rdx, 8) with rsi/rdx set by the caller's `args`. */
  sigmask(args: () => void): void {
    this.movImm(RAX, NR_RT_SIGPROCMASK);
    this.movImm(RDI, SIG_SETMASK);
    args();
    this.movImm(R10, 8);
    this.syscall();
  }
}

const JB = 0x2, JZ = 0x4, JNZ = 0x5;
const ARG_REGS = [RDI, RSI, RDX, R10, R8, R9];

function build(): ParkLayout {
  const a = new Asm();
  // Header: magic (its hash filled in at the end), then the mask that blocks everything
  // (rip-relative), then code at 64.
  a.emit(...PARK_MAGIC_PREFIX);
  for (let i = 0; i < 8; i++) a.emit(0);
  a.label('allMask');
  for (let i = 0; i < 8; i++) a.emit(Number((ALL_SIGNALS >> BigInt(8 * i)) & 0xffn));
  while (a.at < 64) a.emit(0xcc);

  // 1. Block every signal, keeping the program's mask in the slot.
  a.label('entry');
  a.sigmask(() => {
    a.leaRip(RSI, 'allMask');
    a.lea(RDX, RBX, SLOT.old);
  });
  a.store(RBX, SLOT.block, RAX);
  a.rr(0x85, RAX, RAX); // test rax, rax
  a.jump('restoreOnly', JNZ); // the mask is the program's still: run nothing, put the registers back

  // 2. The calls: rbp walks the table, r12 counts down, r13 walks the results, r14 is the delta.
  a.load(RBP, RBX, SLOT.table);
  a.load(R12, RBX, SLOT.ncalls);
  a.lea(R13, RBX, SLOT.results);
  a.load(R14, RBX, SLOT.delta);
  a.label('loop');
  a.rr(0x85, R12, R12); // test r12, r12
  a.jump('notify', JZ);
  a.load(RAX, RBP, 0);
  ARG_REGS.forEach((r, i) => a.load(r, RBP, 8 * (i + 1)));
  a.load(R15, RBP, 56);
  ARG_REGS.forEach((r, i) => {
    a.btImm(R15, i);
    a.emit(0x73, 3); // jnc over the 3-byte add
    a.rr(0x01, r, R14); // add reg, r14
  });
  a.syscall();
  a.store(R13, 0, RAX);
  a.imm8(0, R13, 8); // add r13, 8
  a.imm8(0, RBP, 8 * TABLE_WORDS); // add rbp, 64
  a.unary(0xff, 1, R12); // dec r12
  a.testMemImm(RBX, SLOT.flags, 1);
  a.jump('loop', JZ);
  a.cmpRaxImm(-4095);
  a.jump('loop', JB);

  // 3. Park: P is a candidate the program's mask lets through if there is one.
  a.label('notify');
  a.load(RAX, RBX, SLOT.candidates);
  a.load(RCX, RBX, SLOT.old);
  a.rr(0x89, RDX, RCX); // mov rdx, rcx
  a.unary(0xf7, 2, RDX); // not rdx
  a.rr(0x21, RDX, RAX); // and rdx, rax: candidates the program lets through
  a.jump('notifyBlocked', JZ);
  a.bsf(R12, RDX);
  const selfSignal = (): void => {
    a.store(RBX, SLOT.signal, R12);
    // tgkill(getpid(), gettid(), P): the ids as the target's own pid namespace numbers them.
    a.movImm(RAX, NR_GETPID);
    a.syscall();
    a.rr(0x89, R15, RAX); // mov r15, rax
    a.movImm(RAX, NR_GETTID);
    a.syscall();
    a.rr(0x89, RSI, RAX); // mov rsi, rax
    a.rr(0x89, RDI, R15); // mov rdi, r15
    a.rr(0x89, RDX, R12); // mov rdx, r12
    a.unary(0xff, 0, RDX); // inc rdx: the signal number
    a.movImm(RAX, NR_TGKILL);
    a.syscall();
  };
  selfSignal();
  // The program's own mask, which lets P through: P is delivered right here.
  a.sigmask(() => {
    a.lea(RSI, RBX, SLOT.old);
    a.rr(0x31, RDX, RDX); // xor rdx, rdx
  });
  a.label('trap1');
  a.jump('tail');

  // Every candidate is blocked by the program: unblock P alone for the park.
  a.label('notifyBlocked');
  a.bsf(R12, RAX);
  a.loadRip(RCX, 'allMask');
  a.btr(RCX, R12);
  a.store(RBX, SLOT.parkMask, RCX);
  selfSignal();
  a.sigmask(() => {
    a.lea(RSI, RBX, SLOT.parkMask);
    a.rr(0x31, RDX, RDX);
  });
  a.label('trap2');
  a.jump('tail');

  // 4. Tail: numapol is gone; put back the thread's own state. The stack pointer moves onto the
  // frame below the red zone first: a signal delivered from then on lands below it.
  const frame = (): void => {
    a.load(RAX, RBX, SLOT.regs + RSP_AT);
    a.lea(RAX, RAX, -TAIL_FRAME_BELOW_SP);
    a.rr(0x89, RSP, RAX); // mov rsp, rax
    a.load(RCX, RBX, SLOT.regs + RFLAGS_AT);
    a.store(RAX, 0, RCX);
    a.load(RCX, RBX, SLOT.regs + RIP_AT);
    a.store(RAX, 8, RCX);
  };
  a.label('tail');
  frame();
  a.sigmask(() => {
    a.lea(RSI, RBX, SLOT.old);
    a.rr(0x31, RDX, RDX);
  });
  a.label('restoreRegs');
  for (const r of [R15, R14, R13, R12, RBP, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI]) a.load(r, RBX, SLOT.regs + REG_AT[r]!);
  a.emit(0x9d); // popfq: the flags from here on are the thread's own (mov changes none)
  a.load(RBX, RBX, SLOT.regs + REG_AT[RBX]!);
  a.label('ret');
  a.emit(0xc2, RED_ZONE & 0xff, RED_ZONE >> 8); // ret 128: rip, and rsp back to the thread's own

  a.label('restoreOnly');
  frame();
  a.jump('restoreRegs');

  const code = a.finish();
  if (code.length > 4096) throw new Error(`park code is ${code.length} bytes, more than a page`);
  code.writeBigUInt64LE(fnv1a64(code.subarray(PARK_MAGIC_BYTES)), PARK_MAGIC_PREFIX.length);
  const trapAt = (label: string): number => a.offsetOf(label);
  return {
    code,
    entry: a.offsetOf('entry'),
    trap1: trapAt('trap1'),
    trap2: trapAt('trap2'),
    tail: a.offsetOf('tail'),
    ret: a.offsetOf('ret'),
    allMask: a.offsetOf('allMask'),
  };
}

/** The park code, built once. */
export const X86_64_PARK: ParkLayout = build();

/** Register encoding numbers, for tests that decode the code. */
export const PARK_REGS = { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 } as const;

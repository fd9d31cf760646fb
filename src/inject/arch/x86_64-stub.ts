/**
 * x86_64 machine code that runs a batch of syscalls in one go, one ptrace stop for the whole
 * batch instead of one per call:
 *
 * 1. rt_sigprocmask(SIG_SETMASK, everything but SIGTRAP, &old): the thread's own signals wait
 *    while our calls run. The code does it, not the tracer: that saves the tracer three ptrace
 *    requests a thread (get, set, restore the mask). A signal already due when the thread is
 *    resumed is delivered before this first instruction; the tracer sees it at `entry` and gives
 *    it to the program (injection.ts).
 * 2. For each call: load the number and the six argument registers, add rbp to the arguments
 *    that vary between threads, `syscall`, store rax into the call's result slot; with
 *    stopAtErrno, go to step 3 on a result in [-4095, -1].
 * 3. rt_sigprocmask(SIG_SETMASK, old without SIGTRAP, NULL). SIGTRAP stays unblocked because the
 *    int3 that follows forces one, and forcing a blocked signal would also reset the program's
 *    handler for it; the tracer blocks it again where the program had it blocked. Signals that
 *    came meanwhile are delivered here, at `trap`, where the program's mask is back.
 * 4. `int3`, whose SIGTRAP stop hands the thread back to the tracer, then a jump back to that
 *    int3: a SIGTRAP someone sends the program at that very moment absorbs the int3's own (a
 *    pending standard signal is not queued twice), and the tracer, seeing the sender's, resumes
 *    the thread, which must then trap again instead of running into what follows.
 *
 * If step 1 fails, the code goes straight to the int3 and runs nothing. The code writes only to
 * the thread's slot area (StubCode), whose address the tracer puts in rbx, and reads the mask to
 * block with from the word after its int3 (rip-relative): so threads share one copy of it, and
 * a block runs wherever it is copied. rbx and rbp are the thread's own again afterwards, like
 * every register: the tracer restores them all.
 */
import { SIGTRAP_BIT, STEP_MASK } from '../signal-masks.js';
import { argPosition, shareCode } from './shared-code.js';
import type { StubBlock, StubCode } from './types.js';

/** REX.W/REX.WB + opcode of `movabs reg, imm64` for rdi, rsi, rdx, r10, r8, r9 (the syscall ABI). */
const MOVABS_ARG = [[0x48, 0xbf], [0x48, 0xbe], [0x48, 0xba], [0x49, 0xba], [0x49, 0xb8], [0x49, 0xb9]] as const;
/** REX + ModRM of `add reg, rbp` (opcode 01) for the same registers. */
const ADD_RBP = [[0x48, 0xef], [0x48, 0xee], [0x48, 0xea], [0x49, 0xea], [0x49, 0xe8], [0x49, 0xe9]] as const;
/** mov eax, imm32 (5) + six movabs (60) + syscall (2) + mov [rbx+disp32], rax (7); 3 more a varying argument. */
const CALL_BYTES = 5 + 6 * 10 + 2 + 7;
const ADD_BYTES = 3;
/** cmp rax, -4095 (6) + jae rel32 (6). */
const CHECK_BYTES = 12;
/** Step 1: mov eax (5), mov edi (5), lea rsi (7), lea rdx (7), mov r10d (6), syscall (2), store (7), test (3), jnz (6). */
const PROLOGUE_BYTES = 48;
/** Step 3: load old (7), and (4), store (7), mov eax (5), mov edi (5), lea rsi (7), xor edx (2), mov r10d (6), syscall (2). */
const EPILOGUE_BYTES = 45;
const RT_SIGPROCMASK = 14;
const SIG_SETMASK = 2;
/** `and rax, imm8` clears SIGTRAP's bit: the immediate is sign-extended, so its low byte is all it takes. */
const NOT_SIGTRAP_IMM8 = Number(~SIGTRAP_BIT & 0xffn);
const NONE: ReadonlySet<number> = new Set();

type Calls = readonly { nr: number; args: readonly bigint[] }[];

/**
 * The code of many threads' batches in one block: the first batch's code, shared by every batch
 * that differs from it only by a delta (shared-code.ts), then code for each batch that does
 * not, then one slot area per batch. Code is 16-byte aligned like a function, slot areas 8.
 */
export function x86_64Stubs(batches: readonly Calls[], stopAtErrno: boolean, notRun: bigint): StubBlock {
  const first = batches[0];
  if (first === undefined) return { code: Buffer.alloc(0), entries: [], traps: [], slots: [], deltas: [] };
  const share = shareCode(batches);
  const model = x86_64Stub(first, stopAtErrno, notRun, share.varying);
  const own: (StubCode | undefined)[] = new Array<StubCode | undefined>(batches.length);
  let codeSize = align16(model.code.length);
  let slotSize = 0;
  for (let k = 0; k < batches.length; k++) {
    const o = share.deltas[k] === undefined ? x86_64Stub(batches[k]!, stopAtErrno, notRun) : undefined;
    own[k] = o;
    if (o !== undefined) codeSize += align16(o.code.length);
    slotSize += align8((o ?? model).slots.length);
  }
  const code = Buffer.alloc(codeSize + slotSize, 0xcc);
  code.set(model.code, 0);
  const entries = new Array<number>(batches.length);
  const traps = new Array<number>(batches.length);
  const slots = new Array<number>(batches.length);
  const deltas = new Array<bigint>(batches.length);
  let at = align16(model.code.length);
  let slotAt = codeSize;
  for (let k = 0; k < batches.length; k++) {
    const o = own[k];
    if (o === undefined) {
      entries[k] = 0;
      traps[k] = model.trapOffset;
    } else {
      code.set(o.code, at);
      entries[k] = at;
      traps[k] = at + o.trapOffset;
      at += align16(o.code.length);
    }
    const template = (o ?? model).slots;
    code.set(template, slotAt);
    slots[k] = slotAt;
    slotAt += align8(template.length);
    deltas[k] = share.deltas[k] ?? 0n;
  }
  return { code, entries, traps, slots, deltas };
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/**
 * Code for one batch, built from scratch. `varying`: the arguments (shared-code.ts positions)
 * to which it adds rbp.
 */
export function x86_64Stub(calls: Calls, stopAtErrno: boolean, notRun: bigint, varying: ReadonlySet<number> = NONE): StubCode {
  const checks = stopAtErrno ? Math.max(0, calls.length - 1) : 0;
  let restore = PROLOGUE_BYTES + calls.length * CALL_BYTES + checks * CHECK_BYTES;
  for (let i = 0; i < calls.length; i++) {
    for (let a = 0; a < calls[i]!.args.length; a++) if (varying.has(argPosition(i, a))) restore += ADD_BYTES;
  }
  const trap = restore + EPILOGUE_BYTES;
  // int3 at `trap`, then `jmp trap` (eb fd), then the mask to block with.
  const stepMask = align8(trap + 3);
  // The slot area: one result per call, then the mask words, then the mask to restore.
  const maskSlot = 8 * calls.length;
  const oldMask = maskSlot + 8;
  const restoreMask = maskSlot + 16;
  const code = Buffer.alloc(stepMask + 8, 0xcc);
  let at = 0;
  const byte = (...b: number[]): void => {
    for (const x of b) code[at++] = x;
  };
  const u32 = (v: number): void => {
    code.writeUInt32LE(v >>> 0, at);
    at += 4;
  };
  /** A rip-relative displacement to `target`, for an instruction that ends right after it. */
  const rel = (target: number): void => {
    code.writeInt32LE(target - (at + 4), at);
    at += 4;
  };
  /** A displacement from rbx: an offset into the thread's slot area. */
  const slot = (offset: number): void => u32(offset);
  byte(0xb8); u32(RT_SIGPROCMASK); // mov eax, 14
  byte(0xbf); u32(SIG_SETMASK); // mov edi, 2
  byte(0x48, 0x8d, 0x35); rel(stepMask); // lea rsi, [rip + stepMask]
  byte(0x48, 0x8d, 0x93); slot(oldMask); // lea rdx, [rbx + oldMask]
  byte(0x41, 0xba); u32(8); // mov r10d, 8 (sigsetsize)
  byte(0x0f, 0x05); // syscall
  byte(0x48, 0x89, 0x83); slot(maskSlot); // mov [rbx + maskSlot], rax
  byte(0x48, 0x85, 0xc0); // test rax, rax
  byte(0x0f, 0x85); rel(trap); // jnz trap: the mask is not ours, run nothing
  calls.forEach((c, i) => {
    if (c.args.length > MOVABS_ARG.length) throw new RangeError(`a syscall takes at most 6 arguments, got ${c.args.length}`);
    byte(0xb8); u32(c.nr); // mov eax, imm32 (zero-extends into rax)
    MOVABS_ARG.forEach((op, a) => {
      byte(op[0], op[1]);
      code.writeBigUInt64LE(BigInt.asUintN(64, c.args[a] ?? 0n), at);
      at += 8;
    });
    for (let a = 0; a < c.args.length; a++) {
      if (varying.has(argPosition(i, a))) byte(ADD_RBP[a]![0], 0x01, ADD_RBP[a]![1]); // add reg, rbp
    }
    byte(0x0f, 0x05); // syscall
    byte(0x48, 0x89, 0x83); slot(8 * i); // mov [rbx + 8i], rax
    if (stopAtErrno && i < calls.length - 1) {
      byte(0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff); // cmp rax, -4095 (imm32, sign-extended)
      byte(0x0f, 0x83); rel(restore); // jae rel32: rax >= -4095 unsigned is an errno
    }
  });
  if (at !== restore) throw new Error(`stub layout: mask restore at ${at}, expected ${restore}`);
  byte(0x48, 0x8b, 0x83); slot(oldMask); // mov rax, [rbx + oldMask]
  byte(0x48, 0x83, 0xe0, NOT_SIGTRAP_IMM8); // and rax, ~SIGTRAP_BIT: SIGTRAP unblocked
  byte(0x48, 0x89, 0x83); slot(restoreMask); // mov [rbx + restoreMask], rax
  byte(0xb8); u32(RT_SIGPROCMASK); // mov eax, 14
  byte(0xbf); u32(SIG_SETMASK); // mov edi, 2
  byte(0x48, 0x8d, 0xb3); slot(restoreMask); // lea rsi, [rbx + restoreMask]
  byte(0x31, 0xd2); // xor edx, edx (no old mask wanted)
  byte(0x41, 0xba); u32(8); // mov r10d, 8
  byte(0x0f, 0x05); // syscall
  if (at !== trap) throw new Error(`stub layout: int3 at ${at}, expected ${trap}`);
  byte(0xcc, 0xeb, 0xfd); // int3; jmp back to the int3
  code.writeBigUInt64LE(STEP_MASK, stepMask);
  // The slots say "not run" until their call stores a result.
  const slots = Buffer.alloc(restoreMask + 8);
  for (let i = 0; i <= calls.length; i++) slots.writeBigInt64LE(notRun, 8 * i);
  return { code, trapOffset: trap, slots };
}

/**
 * x86_64 machine code that runs a batch of syscalls in one go, one ptrace stop for the whole
 * batch instead of one per call:
 *
 * 1. rt_sigprocmask(SIG_SETMASK, everything but SIGTRAP, &old): the thread's own signals wait
 *    while our calls run. The code does it, not the tracer: that saves the tracer three ptrace
 *    requests a thread (get, set, restore the mask). A signal already due when the thread is
 *    resumed is delivered before this first instruction; the tracer sees it at `entry` and gives
 *    it to the program (injection.ts).
 * 2. For each call: load the number and the six argument registers, `syscall`, store rax into
 *    the call's result slot; with stopAtErrno, go to step 3 on a result in [-4095, -1].
 * 3. rt_sigprocmask(SIG_SETMASK, old without SIGTRAP, NULL). SIGTRAP stays unblocked because the
 *    int3 that follows forces one, and forcing a blocked signal would also reset the program's
 *    handler for it; the tracer blocks it again where the program had it blocked. Signals that
 *    came meanwhile are delivered here, at `trap`, where the program's mask is back.
 * 4. `int3`, whose SIGTRAP stop hands the thread back to the tracer, then a jump back to that
 *    int3: a SIGTRAP someone sends the program at that very moment absorbs the int3's own (a
 *    pending standard signal is not queued twice), and the tracer, seeing the sender's, resumes
 *    the thread, which must then trap again instead of running into the slots.
 *
 * If step 1 fails, the code goes straight to the int3 and runs nothing. The slots follow the
 * code and are addressed relative to rip, so the block runs wherever it is copied.
 */
import { SIGTRAP_BIT, STEP_MASK } from '../signal-masks.js';
import { writeU64 } from '../../kernel/words.js';
import type { StubBlock, StubCode } from './types.js';

/** REX.W/REX.WB + opcode of `movabs reg, imm64` for rdi, rsi, rdx, r10, r8, r9 (the syscall ABI). */
const MOVABS_ARG = [[0x48, 0xbf], [0x48, 0xbe], [0x48, 0xba], [0x49, 0xba], [0x49, 0xb8], [0x49, 0xb9]] as const;
/** mov eax, imm32 (5) + six movabs (60) + syscall (2) + mov [rip+disp32], rax (7). */
const CALL_BYTES = 5 + 6 * 10 + 2 + 7;
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

type Calls = readonly { nr: number; args: readonly bigint[] }[];

/** Offset of argument `a`'s immediate in call `i` (same layout as x86_64Stub writes). */
function argOffset(stopAtErrno: boolean, n: number, i: number, a: number): number {
  const checksBefore = stopAtErrno ? Math.min(i, n - 1) : 0;
  return PROLOGUE_BYTES + i * CALL_BYTES + checksBefore * CHECK_BYTES + 5 + 10 * a + 2;
}

function sameShape(a: Calls, b: Calls): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.nr !== b[i]!.nr || a[i]!.args.length !== b[i]!.args.length) return false;
  return true;
}

/**
 * Code for many batches, one after another in one block, each 16-byte aligned like a function.
 * The threads of one operation run batches that differ only in a few pointer arguments: a batch
 * shaped like the first one is a copy of its code with those immediates rewritten, written in
 * place (no buffer per batch).
 */
export function x86_64Stubs(batches: readonly Calls[], stopAtErrno: boolean, notRun: bigint): StubBlock {
  const first = batches[0];
  if (first === undefined) return { code: Buffer.alloc(0), entries: [], results: [], traps: [], masks: [] };
  const model = x86_64Stub(first, stopAtErrno, notRun);
  const built = batches.map((calls) => (sameShape(calls, first) ? undefined : x86_64Stub(calls, stopAtErrno, notRun)));
  let total = 0;
  for (let k = 0; k < built.length; k++) total += align16((built[k] ?? model).code.length);
  const code = Buffer.alloc(total, 0xcc);
  const entries: number[] = [];
  const results: number[] = [];
  const traps: number[] = [];
  const masks: number[] = [];
  let at = 0;
  batches.forEach((calls, k) => {
    const own = built[k];
    const stub = own ?? model;
    code.set(stub.code, at);
    entries.push(at);
    results.push(at + stub.resultsOffset);
    traps.push(at + stub.trapOffset);
    masks.push(at + stub.maskOffset);
    if (own === undefined) {
      for (let i = 0; i < calls.length; i++) {
        const was = first[i]!.args;
        const now = calls[i]!.args;
        for (let a = 0; a < now.length; a++) {
          if (now[a] !== was[a]) writeU64(code, at + argOffset(stopAtErrno, calls.length, i, a), now[a]!);
        }
      }
    }
    at += align16(stub.code.length);
  });
  return { code, entries, results, traps, masks };
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** Code for one batch, built from scratch. */
export function x86_64Stub(calls: Calls, stopAtErrno: boolean, notRun: bigint): StubCode {
  const checks = stopAtErrno ? Math.max(0, calls.length - 1) : 0;
  const restore = PROLOGUE_BYTES + calls.length * CALL_BYTES + checks * CHECK_BYTES;
  const trap = restore + EPILOGUE_BYTES;
  // int3 at `trap`, then `jmp trap` (eb fd), then the slots: one result per call, then the
  // mask words (see StubCode.maskOffset), then the mask to block with.
  const resultsOffset = Math.ceil((trap + 3) / 8) * 8;
  const maskOffset = resultsOffset + 8 * calls.length;
  const oldMask = maskOffset + 8;
  const restoreMask = maskOffset + 16;
  const stepMask = maskOffset + 24;
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
  byte(0xb8); u32(RT_SIGPROCMASK); // mov eax, 14
  byte(0xbf); u32(SIG_SETMASK); // mov edi, 2
  byte(0x48, 0x8d, 0x35); rel(stepMask); // lea rsi, [rip + stepMask]
  byte(0x48, 0x8d, 0x15); rel(oldMask); // lea rdx, [rip + oldMask]
  byte(0x41, 0xba); u32(8); // mov r10d, 8 (sigsetsize)
  byte(0x0f, 0x05); // syscall
  byte(0x48, 0x89, 0x05); rel(maskOffset); // mov [rip + maskOffset], rax
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
    byte(0x0f, 0x05); // syscall
    byte(0x48, 0x89, 0x05); rel(resultsOffset + 8 * i); // mov [rip + disp32], rax
    if (stopAtErrno && i < calls.length - 1) {
      byte(0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff); // cmp rax, -4095 (imm32, sign-extended)
      byte(0x0f, 0x83); rel(restore); // jae rel32: rax >= -4095 unsigned is an errno
    }
  });
  byte(0x48, 0x8b, 0x05); rel(oldMask); // mov rax, [rip + oldMask]
  byte(0x48, 0x83, 0xe0, NOT_SIGTRAP_IMM8); // and rax, ~SIGTRAP_BIT: SIGTRAP unblocked
  byte(0x48, 0x89, 0x05); rel(restoreMask); // mov [rip + restoreMask], rax
  byte(0xb8); u32(RT_SIGPROCMASK); // mov eax, 14
  byte(0xbf); u32(SIG_SETMASK); // mov edi, 2
  byte(0x48, 0x8d, 0x35); rel(restoreMask); // lea rsi, [rip + restoreMask]
  byte(0x31, 0xd2); // xor edx, edx (no old mask wanted)
  byte(0x41, 0xba); u32(8); // mov r10d, 8
  byte(0x0f, 0x05); // syscall
  if (at !== trap) throw new Error(`stub layout: int3 at ${at}, expected ${trap}`);
  byte(0xcc, 0xeb, 0xfd); // int3; jmp back to the int3
  // The slots say "not run" until their call stores a result.
  for (let i = 0; i <= calls.length; i++) code.writeBigInt64LE(notRun, resultsOffset + 8 * i);
  code.writeBigUInt64LE(0n, oldMask);
  code.writeBigUInt64LE(0n, restoreMask);
  code.writeBigUInt64LE(STEP_MASK, stepMask);
  return { code, resultsOffset, trapOffset: trap, maskOffset };
}

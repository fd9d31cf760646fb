/**
 * x86_64 machine code that runs a batch of syscalls in one go: for each call, load the number
 * and the six argument registers, `syscall`, store rax into the call's result slot; with
 * stopAtErrno, jump to the end on a result in [-4095, -1]. It ends with `int3`, whose SIGTRAP
 * stop hands the thread back to the tracer, then a jump back to that int3: a SIGTRAP someone
 * sends the program at that very moment absorbs the int3's own (a pending standard signal is
 * not queued twice), and the tracer, seeing the sender's, resumes the thread, which must then
 * trap again instead of running into the result slots. One ptrace stop for the whole batch
 * instead of one per call. The result slots follow the code and are addressed relative to rip, so the block
 * runs wherever it is copied.
 */
import type { StubCode } from './types.js';

/** REX.W/REX.WB + opcode of `movabs reg, imm64` for rdi, rsi, rdx, r10, r8, r9 (the syscall ABI). */
const MOVABS_ARG = [[0x48, 0xbf], [0x48, 0xbe], [0x48, 0xba], [0x49, 0xba], [0x49, 0xb8], [0x49, 0xb9]] as const;
/** mov eax, imm32 (5) + six movabs (60) + syscall (2) + mov [rip+disp32], rax (7). */
const CALL_BYTES = 5 + 6 * 10 + 2 + 7;
/** cmp rax, -4095 (6) + jae rel32 (6). */
const CHECK_BYTES = 12;

type Calls = readonly { nr: number; args: readonly bigint[] }[];

/** Offset of argument `a`'s immediate in call `i` (same layout as x86_64Stub writes). */
function argOffset(stopAtErrno: boolean, n: number, i: number, a: number): number {
  const checksBefore = stopAtErrno ? Math.min(i, n - 1) : 0;
  return i * CALL_BYTES + checksBefore * CHECK_BYTES + 5 + 10 * a + 2;
}

/**
 * The last stub built: threads of one operation run batches that differ only in a few pointer
 * arguments, so the next stub is a copy with those immediates rewritten.
 */
let last: { calls: Calls; stopAtErrno: boolean; notRun: bigint; stub: StubCode } | undefined;

function sameShape(a: Calls, b: Calls): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.nr !== b[i]!.nr || a[i]!.args.length !== b[i]!.args.length) return false;
  return true;
}

export function x86_64Stub(calls: Calls, stopAtErrno: boolean, notRun: bigint): StubCode {
  const prev = last;
  if (prev !== undefined && prev.stopAtErrno === stopAtErrno && prev.notRun === notRun && sameShape(prev.calls, calls)) {
    const code = Buffer.from(prev.stub.code);
    for (let i = 0; i < calls.length; i++) {
      const was = prev.calls[i]!.args;
      const now = calls[i]!.args;
      for (let a = 0; a < now.length; a++) {
        if (now[a] !== was[a]) code.writeBigUInt64LE(BigInt.asUintN(64, now[a]!), argOffset(stopAtErrno, calls.length, i, a));
      }
    }
    const stub = { code, resultsOffset: prev.stub.resultsOffset };
    last = { calls, stopAtErrno, notRun, stub };
    return stub;
  }
  const stub = buildStub(calls, stopAtErrno, notRun);
  last = { calls, stopAtErrno, notRun, stub };
  return stub;
}

function buildStub(calls: Calls, stopAtErrno: boolean, notRun: bigint): StubCode {
  const checks = stopAtErrno ? Math.max(0, calls.length - 1) : 0;
  const end = calls.length * CALL_BYTES + checks * CHECK_BYTES;
  // int3 at `end`, then `jmp end` (eb fd), then the slots.
  const resultsOffset = Math.ceil((end + 3) / 8) * 8;
  const code = Buffer.alloc(resultsOffset + 8 * calls.length, 0xcc);
  let at = 0;
  const byte = (...b: number[]): void => {
    for (const x of b) code[at++] = x;
  };
  calls.forEach((c, i) => {
    if (c.args.length > MOVABS_ARG.length) throw new RangeError(`a syscall takes at most 6 arguments, got ${c.args.length}`);
    byte(0xb8); // mov eax, imm32 (zero-extends into rax)
    code.writeUInt32LE(c.nr >>> 0, at);
    at += 4;
    MOVABS_ARG.forEach((op, a) => {
      byte(op[0], op[1]);
      code.writeBigUInt64LE(BigInt.asUintN(64, c.args[a] ?? 0n), at);
      at += 8;
    });
    byte(0x0f, 0x05); // syscall
    byte(0x48, 0x89, 0x05); // mov [rip + disp32], rax
    code.writeInt32LE(resultsOffset + 8 * i - (at + 4), at);
    at += 4;
    if (stopAtErrno && i < calls.length - 1) {
      byte(0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff); // cmp rax, -4095 (imm32, sign-extended)
      byte(0x0f, 0x83); // jae rel32: rax >= -4095 unsigned is an errno
      code.writeInt32LE(end - (at + 4), at);
      at += 4;
    }
  });
  byte(0xcc, 0xeb, 0xfd); // int3; jmp back to the int3
  // The slots say "not run" until their call stores a result.
  for (let i = 0; i < calls.length; i++) code.writeBigInt64LE(notRun, resultsOffset + 8 * i);
  return { code, resultsOffset };
}

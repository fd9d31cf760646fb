/**
 * The safety net of a call made on its own (one-shot, injection.ts): a signal frame, as the
 * kernel would build for a handler, that puts back every register of the thread, its FPU and
 * vector state and its signal mask when `rt_sigreturn` reads it.
 *
 * The thread runs the call at an existing `syscall; ret` sequence with its stack pointer on the
 * frame, whose first word (where a handler's return address goes) points at the program's own
 * `mov rax, 15; syscall` (its signal trampoline, __restore_rt in glibc and musl,
 * runtime.sigreturn in Go). If numapol dies at any moment of the call, the thread finishes the
 * call, returns into the trampoline, and rt_sigreturn restores it from the frame. While numapol
 * lives the `ret` never runs: the tracer gives the thread its registers back at the call's exit
 * stop and writes back the stack bytes the frame covered.
 *
 * rt_sigreturn differs from the kernel's own return from a ptrace stop in three ways, each
 * made harmless here:
 * - it resets the thread's restart block (a nanosleep, clock_nanosleep, futex or poll with a
 *   timeout interrupted by the stop would then fail with EINTR): the frame's registers re-run
 *   such a syscall from the start instead of resuming it (it waits at most its whole timeout
 *   again: a delay, never an error);
 * - it loads the FPU state from the frame, so the frame holds the thread's own XSAVE image
 *   (PTRACE_GETREGSET NT_X86_XSTATE);
 * - it sets the alternate signal stack from the frame, so the frame's stack_t has flags no
 *   kernel accepts, which leave it as it is.
 * The frame lies below the thread's red zone, where the kernel would put a signal frame: about
 * 3 KiB with AVX-512. Only if numapol dies are those bytes left changed.
 */
import { readU64, writeU32, writeU64 } from '../../kernel/words.js';
import { X86_64_REGS } from './x86_64-regs.js';

/** `syscall; ret` */
export const SYSCALL_RET = Buffer.from([0x0f, 0x05, 0xc3]);
/** `mov rax, 15; syscall` and `mov eax, 15; syscall`: rt_sigreturn. */
export const SIGRETURN = [Buffer.from([0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05]), Buffer.from([0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05])];

/** struct rt_sigframe: pretcode, struct ucontext, struct siginfo (x86_64 uapi). */
const UC = 8;
const UC_FLAGS = UC;
const UC_STACK_FLAGS = UC + 24;
const MCONTEXT = UC + 40;
const UC_SIGMASK = UC + 296;
const FRAME_HEAD = 8 + 304 + 128;
/** struct sigcontext, in order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags. */
const SIGCONTEXT_REGS = [
  X86_64_REGS.r8, X86_64_REGS.r9, X86_64_REGS.r10, X86_64_REGS.r11, X86_64_REGS.r12, X86_64_REGS.r13, X86_64_REGS.r14, X86_64_REGS.r15,
  X86_64_REGS.rdi, X86_64_REGS.rsi, X86_64_REGS.rbp, X86_64_REGS.rbx, X86_64_REGS.rdx, X86_64_REGS.rax, X86_64_REGS.rcx, X86_64_REGS.rsp,
  X86_64_REGS.rip, X86_64_REGS.eflags,
];
const SC_CS = MCONTEXT + 144;
const SC_SS = MCONTEXT + 150;
const SC_OLDMASK = MCONTEXT + 168;
const SC_FPSTATE = MCONTEXT + 184;
/** UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS: the frame's ss is the one to restore. */
const UC_FLAGS_VALUE = 0x1n | 0x2n | 0x4n;
/** A stack_t mode no kernel accepts: restore_altstack ignores the error and changes nothing. */
const NO_ALTSTACK_CHANGE = 0x7f000000;
/** struct _fpx_sw_bytes in the FXSAVE area's software bytes, and the magic after the image. */
const SW_BYTES = 464;
const FP_XSTATE_MAGIC1 = 0x46505853;
const FP_XSTATE_MAGIC2 = 0x46505845;
const XSTATE_BV = 512;

/** Bytes of a frame holding an XSAVE image of `xstateSize` bytes, from a 64-byte aligned start. */
export function sigframeSize(xstateSize: number): number {
  return Math.ceil(FRAME_HEAD / 64) * 64 + xstateSize + 4;
}

/**
 * The frame to write at `at` (64-byte aligned): registers `regs` (a user_regs_struct), signal
 * mask `mask`, FPU state `xstate`, and `trampoline` as the address the call's `ret` jumps to.
 */
export function sigframe(at: bigint, regs: Uint8Array, mask: bigint, xstate: Buffer, trampoline: bigint): Buffer {
  if (at % 64n !== 0n) throw new RangeError('a signal frame starts 64-byte aligned (its XSAVE image must be)');
  const fpAt = Math.ceil(FRAME_HEAD / 64) * 64;
  const f = Buffer.alloc(sigframeSize(xstate.length));
  writeU64(f, 0, trampoline);
  writeU64(f, UC_FLAGS, UC_FLAGS_VALUE);
  writeU32(f, UC_STACK_FLAGS, NO_ALTSTACK_CHANGE);
  SIGCONTEXT_REGS.forEach((reg, i) => writeU64(f, MCONTEXT + 8 * i, readU64(regs, reg)));
  f.writeUInt16LE(Number(readU64(regs, X86_64_REGS.cs) & 0xffffn), SC_CS);
  f.writeUInt16LE(Number(readU64(regs, X86_64_REGS.ss) & 0xffffn), SC_SS);
  writeU64(f, SC_OLDMASK, mask);
  writeU64(f, SC_FPSTATE, at + BigInt(fpAt));
  writeU64(f, UC_SIGMASK, mask);
  xstate.copy(f, fpAt);
  // The software bytes that tell rt_sigreturn an XSAVE image follows (ptrace leaves them unset).
  writeU32(f, fpAt + SW_BYTES, FP_XSTATE_MAGIC1);
  writeU32(f, fpAt + SW_BYTES + 4, xstate.length + 4);
  writeU64(f, fpAt + SW_BYTES + 8, xstate.length > XSTATE_BV + 8 ? readU64(xstate, XSTATE_BV) : 3n);
  writeU32(f, fpAt + SW_BYTES + 16, xstate.length);
  writeU32(f, fpAt + xstate.length, FP_XSTATE_MAGIC2);
  return f;
}

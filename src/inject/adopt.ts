/**
 * Threads found in the park code when an operation starts: a numapol died while they ran it,
 * and they are still on their way back to their own state (a call of the park code can take
 * long, an mbind that moves pages for instance). The code would put that state back by itself;
 * this operation is about to use the same slot areas, so it puts it back first, from the slot
 * area the thread is using (rbx points at it until the code's last instruction): the
 * program's signal mask, then the registers. A death in between leaves the thread in the code,
 * which ends by putting both back itself. The calls it had not run yet are not run.
 */
import { setRegs, setSigmask } from '../kernel/ptrace.js';
import { processVmRead } from '../kernel/remote-memory.js';
import { readI64, readU64, writeU64 } from '../kernel/words.js';
import type { Arch } from './arch/index.js';
import { X86_64_REGS } from './arch/x86_64.js';
import { SLOT } from './arch/x86_64-park.js';
import { faultSeam } from './fault-seam.js';
import { inParkCode, type ParkRegion } from './region.js';
import { ownRegs, type TracedThread } from './thread-state.js';

/** Gives `t`, stopped in the park code of `r`, its own state back. Returns true when it was in the code. */
export function adoptThread(t: TracedThread, arch: Arch, r: ParkRegion): boolean {
  if (arch.name !== 'x86_64' || !t.ready) return false;
  const regs = ownRegs(t, arch);
  if (regs.length !== arch.regsSize || !inParkCode(r, arch.instructionPointer(regs))) return false;
  faultSeam('adopting', t.tid);
  const own = Buffer.from(regs);
  if (arch.instructionPointer(regs) === r.ret) {
    // At the tail's `ret 128`: every register is back but rip and rsp, and so is the mask.
    const sp = arch.stackPointer(regs);
    writeU64(own, X86_64_REGS.rip, readU64(processVmRead(t.tid, sp, 8), 0));
    writeU64(own, X86_64_REGS.rsp, sp + 8n + 128n);
  } else {
    const slot = readU64(regs, X86_64_REGS.rbx);
    const s = processVmRead(t.tid, slot, SLOT.results);
    if (readI64(s, SLOT.block) === 0n) setSigmask(t.tid, readU64(s, SLOT.old));
    faultSeam('adopt-mask-set', t.tid);
    s.copy(own, 0, SLOT.regs, SLOT.results);
  }
  // Not in a syscall: restart rules were applied when the slot was written.
  writeU64(own, X86_64_REGS.orig_rax, -1n);
  setRegs(t.tid, own);
  t.regs = own;
  t.sigmask = undefined;
  t.rseq = undefined;
  return true;
}

/**
 * Child for faults.test.ts and bench/faults.ts: runs one operation on a target and SIGKILLs
 * itself at a chosen step of the engine (fault-seam.ts), as an OOM kill or a crash would.
 *
 *   node fault-child.js PID OP record          prints "step NAME TID" for every step met
 *   node fault-child.js PID OP STEP N          dies at the N-th (0-based) occurrence of STEP
 *   node fault-child.js PID OP random US       dies at the first step reached after a random delay of up to US µs
 *   node fault-child.js PID OP timer US        dies at a random instant within US µs of the operation's start,
 *                                              anywhere (a POSIX timer that sends SIGKILL): between steps too
 *   node fault-child.js PID OP target:STEP N   SIGKILLs the target (not itself) at the N-th occurrence of STEP
 * A sixth argument sets the stop timeout in ms. An operation that fails (the target died or
 * exec'd, a thread in vfork did not stop) prints "error CODE message" and exits 0.
 *
 * OP: `all` (every thread: read the policy, bind to node 0, read it back, in one batch each),
 * `one` (the same in the main thread only), `oneshot` (every thread, each call on its own),
 * `hold` (the main thread runs a 60 s ppoll in the park code, then gettid: killed meanwhile,
 * numapol leaves it in the code for a later numapol to find).
 * Prints "done" when the operation finished without the kill.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { withStoppedProcess, type RemoteCall } from '../../src/inject/index.js';
import { setFaultSeam, type FaultStep } from '../../src/inject/fault-seam.js';
import { libcFunc } from '../../src/kernel/ffi.js';

const [pidArg, op = 'all', stepArg = 'record', nArg = '0', timeoutArg] = process.argv.slice(2);
const pid = Number(pidArg);

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to oneself is delivered before kill() returns to user space.
  throw new Error('unreachable');
}

if (stepArg === 'record') {
  setFaultSeam((step, tid) => writeSync(1, `step ${step} ${tid}\n`));
} else if (stepArg === 'random') {
  const at = performance.now() + Math.random() * Number(nArg) / 1000;
  setFaultSeam(() => {
    if (performance.now() >= at) die();
  });
} else if (stepArg === 'timer') {
  // struct sigevent: sigev_value (8), sigev_signo, sigev_notify (SIGEV_SIGNAL = 0), padding.
  const ev = Buffer.alloc(64);
  ev.writeInt32LE(9, 8);
  const id = Buffer.alloc(8);
  const create = libcFunc<(clock: number, ev: Buffer, id: Buffer) => number>('int timer_create(int, void *, void *)');
  const settime = libcFunc<(id: bigint, flags: number, spec: Buffer, old: null) => number>('int timer_settime(uintptr_t, int, void *, void *)');
  if (create(1, ev, id) !== 0) throw new Error('timer_create failed');
  const ns = BigInt(Math.floor(Math.random() * Number(nArg) * 1000)) + 1n;
  const spec = Buffer.alloc(32);
  spec.writeBigInt64LE(ns / 1_000_000_000n, 16);
  spec.writeBigInt64LE(ns % 1_000_000_000n, 24);
  if (settime(id.readBigUInt64LE(0), 0, spec, null) !== 0) throw new Error('timer_settime failed');
} else if (stepArg.startsWith('target:')) {
  let left = Number(nArg);
  setFaultSeam((step: FaultStep) => {
    if (step === stepArg.slice(7) && left-- === 0) process.kill(pid, 'SIGKILL');
  });
} else {
  let left = Number(nArg);
  setFaultSeam((step: FaultStep) => {
    if (step === stepArg && left-- === 0) die();
  });
}

const calls = (mask: bigint, out: bigint): RemoteCall[] => [
  { name: 'get_mempolicy', args: [out, out + 8n, 65, 0, 0] },
  { name: 'set_mempolicy', args: [2, mask, 65] },
  { name: 'get_mempolicy', args: [out, out + 8n, 65, 0, 0] },
];

const t0 = performance.now();
const opts = {
  ...(op === 'oneshot' ? { injection: 'syscall-stops' as const } : {}),
  ...(timeoutArg === undefined ? {} : { stopTimeoutMs: Number(timeoutArg) }),
};
try {
  withStoppedProcess(pid, opts, (s) => {
    if (op === 'hold') {
      const ts = Buffer.alloc(16);
      ts.writeBigInt64LE(60n, 0);
      s.remoteSyscalls(pid, [{ name: 'ppoll', args: [0, 0, s.scratch(ts), 0, 8] }, { name: 'gettid', args: [] }]);
      return;
    }
    const mask = s.scratch(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    const tids = op === 'one' ? [pid] : s.threads;
    const out = s.scratch(Buffer.alloc(16 * tids.length));
    const batches = tids.map((tid, k) => ({ tid, calls: calls(mask, out + BigInt(16 * k)) }));
    if (op === 'one') s.remoteSyscalls(pid, batches[0]!.calls);
    else s.remoteSyscallsEach(batches);
  });
} catch (e) {
  const err = e as { code?: string; message?: string };
  writeSync(1, `error ${err.code ?? '?'} ${err.message ?? String(e)}\n`);
  process.exit(0);
}
writeSync(1, `done\nms ${(performance.now() - t0).toFixed(3)}\n`);

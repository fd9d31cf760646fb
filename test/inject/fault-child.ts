/**
 * Child for faults.test.ts and bench/faults.ts: runs one operation on a target and SIGKILLs
 * itself at a chosen step of the engine (fault-seam.ts), as an OOM kill or a crash would.
 *
 *   node fault-child.js PID OP record          prints "step NAME TID" for every step met
 *   node fault-child.js PID OP STEP N          dies at the N-th (0-based) occurrence of STEP
 *   node fault-child.js PID OP random US       dies after a random delay of up to US µs (in the engine's own loop)
 *
 * OP: `all` (every thread: read the policy, bind to node 0, read it back, in one batch each),
 * `one` (the same in the main thread only), `oneshot` (every thread, each call on its own).
 * Prints "done" when the operation finished without the kill.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { withStoppedProcess, type RemoteCall } from '../../src/inject/index.js';
import { setFaultSeam, type FaultStep } from '../../src/inject/fault-seam.js';

const [pidArg, op = 'all', stepArg = 'record', nArg = '0'] = process.argv.slice(2);
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

withStoppedProcess(pid, op === 'oneshot' ? { injection: 'syscall-stops' } : {}, (s) => {
  const mask = s.scratch(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
  const tids = op === 'one' ? [pid] : s.threads;
  const out = s.scratch(Buffer.alloc(16 * tids.length));
  const batches = tids.map((tid, k) => ({ tid, calls: calls(mask, out + BigInt(16 * k)) }));
  if (op === 'one') s.remoteSyscalls(pid, batches[0]!.calls);
  else s.remoteSyscallsEach(batches);
});
writeSync(1, 'done\n');

/**
 * A test seam: the engine names each step at which its death would leave the target in a
 * different state, and a test can make numapol die right there (SIGKILL to itself, which it
 * cannot defer) to check that every such state is safe. Not part of the public API; without a
 * hook installed a step costs one comparison.
 *
 * The steps, in the order an operation meets them (docs/injection.md lists what each leaves):
 */
export type FaultStep =
  /** Every thread is in a ptrace stop with its own registers; nothing changed yet. */
  | 'seized'
  /** A thread of a previous numapol that died in the park code is being given its own state. */
  | 'adopting'
  | 'adopt-mask-set'
  /** A call without the park code (the region's first mmap, or a target that allows no code): its registers are set. */
  | 'oneshot-regs-set'
  | 'oneshot-entry'
  | 'oneshot-exit'
  | 'oneshot-restored'
  /** The park code and data region exist and are written, magic last. */
  | 'region-written'
  /** A batch's call tables and slot areas are written; no thread runs them yet. */
  | 'slots-written'
  /** A thread's registers point at the park code; it does not run yet. */
  | 'code-regs-set'
  /** A thread runs the park code. */
  | 'code-running'
  /** A thread stopped at its park signal; its registers are still the code's. */
  | 'parked'
  /** A parked thread has its own registers back (it stays in the park signal's stop). */
  | 'park-restored'
  /** A thread that parked with a signal its program blocks is in the event stop after it. */
  | 'detour-stop'
  | 'detour-mask-set'
  /** The results of a batch have been read. */
  | 'results-read'
  /** A thread has been detached. */
  | 'detached';

type Hook = (step: FaultStep, tid: number) => void;
let hook: Hook | undefined;

/** Installs `h` (undefined removes it); it runs at every step, and may kill the process. */
export function setFaultSeam(h: Hook | undefined): void {
  hook = h;
}

export function faultSeam(step: FaultStep, tid = 0): void {
  if (hook !== undefined) hook(step, tid);
}

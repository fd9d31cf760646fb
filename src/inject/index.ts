/** The remote-syscall engine: stop a process and run syscalls in its own threads. */
export { withStoppedProcess } from './session.js';
export type { RemoteResult, SeccompPolicy, SessionStats, SkippedThread, StopOptions, StoppedProcess } from './session.js';
export { deferredSignals } from './signal-guard.js';

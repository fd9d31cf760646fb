/** The remote-syscall engine: stop a process and run syscalls in its own threads. */
export { completedCalls, withStoppedProcess } from './session.js';
export type { BatchOptions, InjectMode, RemoteCall, RemoteResult, SeccompPolicy, SessionStats, SkippedThread, StopOptions, StoppedProcess, ThreadCalls, ThreadOutcome } from './session.js';
export { deferredSignals } from './signal-guard.js';

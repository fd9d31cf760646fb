/**
 * numapol as a library: every CLI command is a typed function here (libnuma's role under numactl).
 * Layers: kernel (FFI) → policy → topology/procfs (readers) → inject (remote syscalls) → ops.
 */
export * from './errors.js';
export * from './policy/index.js';
export * as topology from './topology/index.js';
export * as procfs from './procfs/index.js';
export * as kernel from './kernel/index.js';
export * as inject from './inject/index.js';
export * from './ops/index.js';

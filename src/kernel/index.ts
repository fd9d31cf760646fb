/** The kernel layer: the only code that touches the FFI. Raw numbers in, typed errors out. */
export { SyscallError } from './syscall-error.js';
export { check } from './check.js';
export { ERRNO_NAMES, errnoName, errnoMeaning, defineErrnoMeanings } from './errno.js';
export { SYSCALL_NUMBERS, syscallNumber, type SyscallName, type SupportedArch } from './syscall-numbers.js';
export { syscall, syscallAbout, type SyscallArg } from './syscall.js';
export * from './mempolicy-constants.js';
export { maxNodeBits, encodeNodemask, decodeNodemask, maxnodeArg } from './nodemask.js';
export { encodeBitmask, decodeBitmask } from './bitmask.js';
export { parseRangeList, parseRanges, formatRanges } from './range-list.js';
export {
  getMempolicy,
  getMempolicyNode,
  getMemsAllowed,
  setMempolicy,
  mbind,
  setMempolicyHomeNode,
  type RawMempolicy,
  type GetMempolicyOptions,
} from './mempolicy.js';
export { migratePages, movePages, movePagesCounted, queryPageNodes, type MovePagesResult } from './migrate.js';
export {
  pageSize,
  mmapAnonymous,
  munmap,
  fillMemory,
  mmapFile,
  mincore,
  shmGet,
  ftok,
  shmAttach,
  shmDetach,
  SHM_RDONLY,
  IPC_CREAT,
  SHM_HUGETLB,
  PROT_READ,
  PROT_WRITE,
  MAP_SHARED,
  MAP_PRIVATE,
  MAP_ANONYMOUS,
  type MmapOptions,
} from './memory.js';
export { cpuMaskBits, schedSetaffinity, schedGetaffinity } from './affinity.js';
export { gettid, execvp } from './process.js';
export {
  ProcConnector,
  decodeProcEvents,
  encodeMcastOp,
  PROC_EVENT,
  CN_IDX_PROC,
  CN_VAL_PROC,
  PROC_CN_MCAST_LISTEN,
  PROC_CN_MCAST_IGNORE,
  type ProcConnectorEvent,
  type ProcConnectorOptions,
  type ReceiveOutcome,
} from './proc-connector.js';
export { readProcConnector, type ProcConnectorHandlers, type ProcConnectorReader } from './proc-connector-reader.js';
export { strerror } from './strerror.js';

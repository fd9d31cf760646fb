/** Syscall numbers per architecture: x86_64 is used now, aarch64 is ready for the port. */
export const SYSCALL_NUMBERS = {
  x64: {
    mmap: 9,
    mprotect: 10,
    munmap: 11,
    prctl: 157,
    ptrace: 101,
    wait4: 61,
    restart_syscall: 219,
    mbind: 237,
    set_mempolicy: 238,
    get_mempolicy: 239,
    migrate_pages: 256,
    move_pages: 279,
    process_vm_readv: 310,
    process_vm_writev: 311,
    set_mempolicy_home_node: 450,
    sched_setaffinity: 203,
    sched_getaffinity: 204,
    gettid: 186,
    mincore: 27,
    madvise: 28,
    shmget: 29,
    shmat: 30,
    shmdt: 67,
    rt_sigpending: 127,
    rt_tgsigqueueinfo: 297,
    ppoll: 271,
  },
  arm64: {
    mmap: 222,
    mprotect: 226,
    munmap: 215,
    prctl: 167,
    ptrace: 117,
    wait4: 260,
    restart_syscall: 128,
    mbind: 235,
    set_mempolicy: 237,
    get_mempolicy: 236,
    migrate_pages: 238,
    move_pages: 239,
    process_vm_readv: 270,
    process_vm_writev: 271,
    set_mempolicy_home_node: 450,
    sched_setaffinity: 122,
    sched_getaffinity: 123,
    gettid: 178,
    mincore: 232,
    madvise: 233,
    shmget: 194,
    shmat: 196,
    shmdt: 197,
    rt_sigpending: 136,
    rt_tgsigqueueinfo: 240,
    ppoll: 73,
  },
} as const;

export type SyscallName = keyof (typeof SYSCALL_NUMBERS)['x64'];
export type SupportedArch = keyof typeof SYSCALL_NUMBERS;

export function syscallNumber(name: SyscallName, arch: string = process.arch): number {
  const table = (SYSCALL_NUMBERS as Record<string, Record<SyscallName, number>>)[arch];
  if (table === undefined) throw new Error(`numapol does not support the ${arch} architecture yet`);
  return table[name];
}

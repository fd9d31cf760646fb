/**
 * What each errno means for each syscall numapol makes, from the man pages and mm/mempolicy.c.
 * Kept as plain data with no imports so errno.ts can load it eagerly: a SyscallError built for a
 * syscall injected into another process needs these meanings too, even when the local wrapper
 * module was never loaded.
 */
export const ERRNO_MEANINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  get_mempolicy: {
    EINVAL:
      'the flags combination is invalid (MPOL_F_ADDR without an address or an address without it, ' +
      'MPOL_F_NODE without MPOL_F_ADDR while the policy is not interleave, MPOL_F_MEMS_ALLOWED with ' +
      'another flag), or the nodemask is smaller than the number of node ids the kernel supports',
    EFAULT: 'the address is not mapped in the process, or the nodemask buffer is not accessible',
  },
  set_mempolicy: {
    EINVAL:
      'the mode or mode flags are invalid (static and relative together, balancing with a mode other ' +
      'than bind), the nodemask is empty where the mode needs nodes or non-empty for default, or none ' +
      'of its nodes is online and allowed by the cpuset',
    EFAULT: 'the nodemask buffer is not accessible',
    ENOMEM: 'the kernel could not allocate the policy',
  },
  mbind: {
    EINVAL:
      'the range is not page-aligned or wraps, the mode/flags combination is invalid, or the nodemask ' +
      'is empty, non-empty for default, or has nodes outside the allowed set',
    EIO:
      'MPOL_MF_STRICT: some pages are not on the policy\'s nodes, or MPOL_MF_MOVE could not move them all',
    EFAULT: 'part of the range is not mapped, or the nodemask buffer is not accessible',
    ENOMEM: 'the kernel ran out of memory splitting the mappings or building the policy',
    EPERM: 'MPOL_MF_MOVE_ALL needs CAP_SYS_NICE',
  },
  migrate_pages: {
    EPERM:
      'the target belongs to another user and we lack CAP_SYS_NICE, or the destination nodes are ' +
      'outside its cpuset',
    ESRCH: 'the process is gone',
    EINVAL:
      'a nodemask has a node the kernel does not support, or none of the destination nodes is online, ' +
      'allowed by the target\'s cpuset and has memory',
    EFAULT: 'a nodemask buffer is not accessible',
    ENOMEM: 'the kernel ran out of memory while migrating',
  },
  move_pages: {
    ESRCH: 'the process is gone',
    EPERM:
      'MPOL_MF_MOVE_ALL needs CAP_SYS_NICE, or we may not access the target process (another user, ' +
      'ptrace restrictions)',
    ENODEV: 'a destination node is not online',
    EACCES: 'a destination node is not allowed by the target\'s cpuset',
    EINVAL: 'flags other than MPOL_MF_MOVE/MPOL_MF_MOVE_ALL, or the target is a kernel thread',
    EFAULT: 'the pages, nodes or status array is not accessible',
    E2BIG: 'too many pages in one call',
    ENOMEM: 'the kernel ran out of memory while migrating',
  },
  set_mempolicy_home_node: {
    EOPNOTSUPP: 'the range has VMAs whose policy is not bind or preferred_many',
    EINVAL: 'the start is not page-aligned, the range wraps, flags is not 0, or the home node is not online',
    ENOSYS: 'this kernel predates set_mempolicy_home_node (added in Linux 5.17)',
    ENOMEM: 'the kernel ran out of memory splitting the mappings',
  },
  sched_setaffinity: {
    EINVAL: 'the mask has no CPU that is online and allowed by the thread\'s cpuset',
    ESRCH: 'the thread is gone',
    EPERM: 'the thread belongs to another user and we lack CAP_SYS_NICE',
    EFAULT: 'the mask buffer is not accessible',
  },
  sched_getaffinity: {
    EINVAL: 'the mask buffer is smaller than the kernel\'s CPU mask',
    ESRCH: 'the thread is gone',
    EFAULT: 'the mask buffer is not accessible',
  },
  mmap: {
    EINVAL: 'the length is 0, or the address, length or offset is not page-aligned, or the flags are invalid',
    ENOMEM: 'no room in the address space, or the mapping limit is reached',
  },
  munmap: {
    EINVAL: 'the address is not page-aligned or the length is 0',
  },
  execve: {
    ENOENT: 'the program was not found in PATH, or a directory of its path does not exist',
    EACCES:
      'the file is not executable, a directory of its path may not be searched, or its file system is ' +
      'mounted noexec',
    ENOEXEC: 'the file is not in a format this kernel can run and has no #! line',
    E2BIG: 'the argument list and environment are too large',
    ETXTBSY: 'the program file is open for writing',
    ENOTDIR: 'a component of the path is not a directory',
    ELOOP: 'too many symbolic links in the path',
    ENAMETOOLONG: 'the path is too long',
    ENOMEM: 'the kernel ran out of memory',
  },
};

/**
 * What the daemon does to a process or object: one action per thing a rule asks for. Actions
 * are plain data, so the same value is journaled, shown by `plan`, executed and undone.
 */
export type Action =
  /** The task policy of every thread, or of the threads listed (injected set_mempolicy). */
  | { readonly kind: 'policy'; readonly policy: string; readonly threads?: readonly number[] }
  /** VMA policies (injected mbind) on the VMAs of one kind: heap, stack, anon, shm, file:GLOB. */
  | { readonly kind: 'vma-policy'; readonly vma: string; readonly policy: string; readonly move: boolean }
  /** Every thread's CPU affinity: the CPUs of `nodes`, or `cpus`. */
  | { readonly kind: 'cpus'; readonly nodes?: string; readonly cpus?: string }
  /** Pages on `from` moved to `to` (relative placement kept), paced. */
  | { readonly kind: 'migrate'; readonly from: string; readonly to: string; readonly rateBytesPerSecond?: number }
  /**
   * Automatic placement's move: the process's threads to the CPUs of `nodes` and its pages from
   * every other node to them (paced), CPUs and memory together.
   */
  | { readonly kind: 'place'; readonly nodes: string; readonly cpus?: string; readonly reason?: string }
  /**
   * A whole job to another node set (ops moveJob): every member's policies rewritten with relative
   * placement kept, its CPUs remapped, and its pages moved node to partner node, each shared page
   * once, paced. `members` are the processes as the daemon knew them when asked; a `cgroup` job is
   * moved by its cpuset instead.
   */
  | { readonly kind: 'job-move'; readonly job: string; readonly to: string; readonly from?: string; readonly cgroup?: string; readonly members: readonly { pid: number; start: number }[] }
  /** The shared policy of a tmpfs/hugetlbfs file or SysV segment (seed 004). */
  | { readonly kind: 'shm-policy'; readonly file?: string; readonly shmKey?: number; readonly shmid?: number; readonly policy: string };

export type ActionKind = Action['kind'];

/** How an action ended. `gone`: the process exited (or its pid was reused) before or during it. */
export type Outcome = 'ok' | 'partial' | 'failed' | 'gone' | 'advised' | 'skipped';

/** One line for logs and the plan: "policy interleave=all", "vma-policy heap bind=2-3 (move)". */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'policy':
      return `policy ${a.policy}${a.threads === undefined ? '' : ` on threads ${a.threads.join(',')}`}`;
    case 'vma-policy':
      return `vma-policy ${a.vma} ${a.policy}${a.move ? ' (move)' : ''}`;
    case 'cpus':
      return a.nodes !== undefined ? `cpus of nodes ${a.nodes}` : `cpus ${a.cpus ?? ''}`;
    case 'migrate':
      return `migrate ${a.from} → ${a.to}${a.rateBytesPerSecond === undefined ? '' : ` at ${(a.rateBytesPerSecond / 1e6).toFixed(0)} MB/s`}`;
    case 'place':
      return `place on nodes ${a.nodes}${a.cpus === undefined ? '' : ` (cpus ${a.cpus})`}`;
    case 'job-move':
      return `job ${a.job} → nodes ${a.to}${a.from === undefined ? '' : ` (from ${a.from})`}`;
    case 'shm-policy':
      return `shm-policy ${a.file ?? (a.shmKey !== undefined ? `key 0x${a.shmKey.toString(16)}` : `shmid ${a.shmid ?? ''}`)} ${a.policy}`;
  }
}

/** Actions that stop the process (ptrace): these count against the daemon's stop rate. */
export function stopsProcess(a: Action): boolean {
  return a.kind === 'policy' || a.kind === 'vma-policy';
}

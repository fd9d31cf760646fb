/**
 * Each thread's mempolicy asked of the thread itself (an injected get_mempolicy), not inferred
 * from numa_maps: exact even when VMA policies hide the task's, and with the flags and user
 * nodemask the kernel keeps. Costs a stop of the whole process (`show --exact`).
 */
import { withStoppedProcess } from '../inject/index.js';
import type { Mempolicy } from '../policy/index.js';
import { remoteError, RemoteMempolicy, policyText } from './remote-mempolicy.js';
import { selectThreads, stopOptions, type StopProcessOptions, type ThreadSelection } from './set-policy.js';

export interface ExactThreadPolicy {
  readonly tid: number;
  readonly policy: Mempolicy;
  /** Kernel (numa_maps) form. */
  readonly policyText: string;
}

export interface ExactPolicyOptions extends Omit<StopProcessOptions, 'dryRun'> {
  readonly threads?: ThreadSelection;
}

/** Stops `pid` and asks each chosen thread for its policy. */
export function exactThreadPolicies(pid: number, opts: ExactPolicyOptions = {}): ExactThreadPolicy[] {
  return withStoppedProcess(pid, stopOptions(opts, () => undefined), (s) => {
    const tids = selectThreads(pid, opts.threads ?? 'all', s.threads);
    const all = new RemoteMempolicy(s).threadPolicies(tids);
    return tids.map((tid, i) => {
      const r = all[i]!;
      if (!r.ok) throw remoteError(`cannot read the policy of thread ${tid} of pid ${pid}`, r, { pid, tid });
      return { tid, policy: r.value, policyText: policyText(r.value) };
    });
  });
}

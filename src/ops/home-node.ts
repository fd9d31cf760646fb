/**
 * `numapol home-node PID --range ... NODE`: set_mempolicy_home_node (Linux 5.17) on a range of a
 * running process: for VMAs whose policy is bind or preferred_many, allocations start at NODE and
 * fall back along distance from it instead of from the CPU's node. VMAs with no policy of their
 * own are left alone by the kernel; other policies make it fail with EOPNOTSUPP. The home node is
 * not visible in get_mempolicy or numa_maps, so it cannot be read back or undone; the report says
 * which ranges it applies to.
 */
import { NumapolError, UsageError } from '../errors.js';
import { withStoppedProcess, type SessionStats } from '../inject/index.js';
import { HOME_NODE_MODES } from '../policy/index.js';
import { hexAddr } from './address-range.js';
import { remoteError, RemoteMempolicy, policyText } from './remote-mempolicy.js';
import { mappingName, resolvePolicyRanges, type RangeSelection } from './set-range-policy.js';
import { preflight, stopFigures, stopOptions, type StopFigures, type StopProcessOptions } from './set-policy.js';
import { userNodes } from './user-policy.js';

export interface HomeNodeRange {
  readonly start: string;
  readonly end: string;
  readonly mapping: string;
  /** The VMA's own policy (kernel form); in a dry run numa_maps' text. */
  readonly policy: string;
  /** False when the VMA has no policy of its own: the kernel skips it. */
  readonly applies: boolean;
}

export interface HomeNodeReport {
  readonly pid: number;
  readonly node: number;
  readonly dryRun: boolean;
  readonly ranges: readonly HomeNodeRange[];
  readonly stop?: StopFigures;
}

/** Sets NODE as the home node of the selected ranges of `pid`. */
export function setHomeNode(pid: number, sel: RangeSelection, node: number | string, opts: StopProcessOptions = {}): HomeNodeReport {
  const nodes = userNodes(String(node), { pid, ...(opts.root === undefined ? {} : { root: opts.root }) });
  if (nodes.length !== 1) throw new UsageError(`home-node takes one node, not '${node}'`);
  const home = nodes[0]!;
  const segs = resolvePolicyRanges(pid, sel, opts.root);
  if (opts.dryRun) {
    preflight(pid, opts);
    const ranges = segs.map((s) => {
      const policy = s.vma.policyText ?? 'default';
      return { start: hexAddr(s.start), end: hexAddr(s.end), mapping: mappingName(s), policy, applies: /^(bind|prefer \(many\))/.test(policy) };
    });
    return { pid, node: home, dryRun: true, ranges };
  }
  let stats: SessionStats | undefined;
  const ranges = withStoppedProcess(pid, stopOptions(opts, (s) => (stats = s)), (s) => {
    const tid = s.threads[0];
    if (tid === undefined) throw new NumapolError('ESRCH', `pid ${pid} has no thread left to run set_mempolicy_home_node`);
    const rm = new RemoteMempolicy(s);
    const out: HomeNodeRange[] = segs.map((seg) => {
      const r = rm.vmaPolicy(tid, seg.start);
      if (!r.ok) throw remoteError(`cannot read the policy of ${hexAddr(seg.start)} in pid ${pid}`, r, { pid });
      const applies = HOME_NODE_MODES.has(r.value.mode);
      return { start: hexAddr(seg.start), end: hexAddr(seg.end), mapping: mappingName(seg), policy: policyText(r.value), applies };
    });
    const bad = out.find((r) => !r.applies && r.policy !== 'default');
    if (bad !== undefined) {
      throw new NumapolError('EOPNOTSUPP', `${bad.start}-${bad.end} (${bad.mapping}) of pid ${pid} has policy ${bad.policy}: a home node applies only to bind and preferred_many ranges; nothing was changed`, {
        usage: true,
        details: { pid, start: bad.start, policy: bad.policy },
      });
    }
    if (!out.some((r) => r.applies)) {
      throw new NumapolError('ENOENT', `no VMA in the range has a bind or preferred_many policy of its own (the kernel would answer ENOENT): give it one first, e.g. 'numapol set ${pid} bind=${home} --range ...'`, {
        usage: true,
        details: { pid },
      });
    }
    for (const [i, seg] of segs.entries()) {
      if (!out[i]!.applies) continue;
      const r = rm.setHomeNode(tid, seg.start, seg.end, home);
      if (!r.ok) throw remoteError(`set_mempolicy_home_node(${home}) on ${hexAddr(seg.start)}-${hexAddr(seg.end)} of pid ${pid} failed`, r, { pid });
    }
    return out;
  });
  return { pid, node: home, dryRun: false, ranges, ...(stats ? { stop: stopFigures(stats) } : {}) };
}

import { UsageError } from '../../errors.js';
import { parseThreadSelection, setProcessPolicy, type SetPolicyReport } from '../../ops/set-policy.js';
import { setRangePolicy, type SetRangeReport } from '../../ops/set-range-policy.js';
import { optString, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { rangeTable, stopLine, STOP_OPTIONS, threadTable } from '../policy-render.js';
import { RANGE_OPTIONS, rangeSelection } from '../selectors.js';

type SetResult = SetPolicyReport | SetRangeReport;

export default defineCommand<SetResult>({
  name: 'set',
  summary: "Change the mempolicy of a running process: its threads' (set_mempolicy) or a range's (mbind), run by the process's own threads.",
  usage:
    'numapol set PID POLICY [--threads all|main|TID,...] | [--range START[-END|+LEN] | --vma NAME] [--move|--move-all] [--strict]  [--allow-seccomp] [--dry-run] [--json]',
  options: {
    threads: { type: 'string', valueName: 'all|main|TID,...', description: 'which threads get the policy (default all); new threads inherit it from their creator' },
    ...RANGE_OPTIONS,
    move: { type: 'boolean', description: 'with --range/--vma: move the pages already there (MPOL_MF_MOVE)' },
    'move-all': { type: 'boolean', description: 'also pages shared with other processes (MPOL_MF_MOVE_ALL; needs CAP_SYS_NICE)' },
    strict: { type: 'boolean', description: 'fail if pages in the range do not follow the policy (MPOL_MF_STRICT)' },
    ...STOP_OPTIONS,
  },
  details: `POLICY in any form: bind=0,2-5 (seeds), bind:0-3 (numa_maps), interleave=all, prefer=1, local, default,
bind=static:0-1, preferred-many=0,2, weighted-interleave=0-3.
The process is stopped (ptrace) while its threads run the call; each thread's previous policy is read
first and the new one read back; if any thread fails, the ones already changed get their old policy
back. A blocked epoll_wait in the target returns EINTR once (as with any debugger).
JSON fields: pid, policy (kernel form), dryRun, verified, threads[] {tid, before, after}, skipped[] {tid, reason},
stop {threadsStopped, seizeMs, stoppedMs, detachMs, injections, scheduling}; with --range/--vma: flags[], ranges[]
{start, end, mapping, before, after}.`,
  run: ({ positionals, values }) => {
    const pid = pidArg(positionals, 'set');
    const policy = positionals.slice(1).join(' ');
    if (policy === '') throw new UsageError('set: missing POLICY (e.g. bind=0, interleave=all, default)');
    const sel = rangeSelection(values);
    const threads = optString(values, 'threads');
    const common = {
      dryRun: values['dry-run'] === true,
      ...(values['allow-seccomp'] === true ? { seccomp: 'allow' as const } : {}),
    };
    if (sel.range !== undefined || sel.vma !== undefined) {
      if (threads !== undefined) throw new UsageError('set: --threads sets task policies; --range/--vma set a VMA policy for every thread: use one or the other');
      return setRangePolicy(pid, policy, sel, {
        ...common,
        move: values['move'] === true,
        moveAll: values['move-all'] === true,
        strict: values['strict'] === true,
      });
    }
    for (const f of ['move', 'move-all', 'strict'] as const) {
      if (values[f] === true) throw new UsageError(`set: --${f} needs --range or --vma`);
    }
    return setProcessPolicy(pid, policy, { ...common, ...(threads === undefined ? {} : { threads: parseThreadSelection(threads) }) });
  },
  render: (r) => {
    const verb = r.dryRun ? 'would set' : 'set';
    if ('ranges' in r) {
      const flags = r.flags.length > 0 ? ` (${r.flags.join(', ')})` : '';
      return [`pid ${r.pid}: ${verb} ${r.policy}${flags} on ${r.ranges.length} range${r.ranges.length === 1 ? '' : 's'}`, rangeTable(r.ranges), stopLine(r.stop)]
        .filter((l) => l !== '')
        .join('\n');
    }
    return [`pid ${r.pid}: ${verb} ${r.policy} in ${r.threads.length} thread${r.threads.length === 1 ? '' : 's'}${r.verified ? ', read back' : ''}`, threadTable(r.threads), stopLine(r.stop)]
      .filter((l) => l !== '')
      .join('\n');
  },
});

import { UsageError } from '../../errors.js';
import { setHomeNode, type HomeNodeReport } from '../../ops/home-node.js';
import { noExtraArgs, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { stopLine, STOP_OPTIONS } from '../policy-render.js';
import { formatTable } from '../table.js';
import { RANGE_OPTIONS, rangeSelection } from '../selectors.js';

export default defineCommand<HomeNodeReport>({
  name: 'home-node',
  summary: 'Set the home node of bind / preferred_many ranges of a running process (set_mempolicy_home_node, Linux 5.17).',
  usage: 'numapol home-node PID (--range START[-END|+LEN] | --vma NAME) NODE [--allow-seccomp] [--dry-run] [--json]',
  options: {
    ...RANGE_OPTIONS,
    ...STOP_OPTIONS,
  },
  details: `Allocations in those ranges start at NODE and fall back by distance from it. Ranges with no policy of
their own are skipped by the kernel; other policies are refused. The home node cannot be read back.
JSON fields: pid, node, dryRun, ranges[] {start, end, mapping, policy, applies}, stop.`,
  run: ({ positionals, values }) => {
    const pid = pidArg(positionals, 'home-node');
    const node = positionals[1];
    if (node === undefined) throw new UsageError('home-node: missing NODE');
    noExtraArgs(positionals, 2, 'home-node');
    return setHomeNode(pid, rangeSelection(values), node, {
      dryRun: values['dry-run'] === true,
      ...(values['allow-seccomp'] === true ? { seccomp: 'allow' as const } : {}),
    });
  },
  render: (r) => {
    const t = formatTable(
      [{ header: 'range' }, { header: 'mapping' }, { header: 'policy' }, { header: 'home node' }],
      r.ranges.map((x) => [`${x.start}-${x.end}`, x.mapping, x.policy, x.applies ? String(r.node) : '- (no VMA policy)']),
    );
    return [`pid ${r.pid}: ${r.dryRun ? 'would set' : 'set'} home node ${r.node}`, t, stopLine(r.stop)].filter((l) => l !== '').join('\n');
  },
});

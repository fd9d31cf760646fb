import { UsageError } from '../../errors.js';
import { parseAddressRange } from '../../ops/address-range.js';
import { setHomeNode, type HomeNodeReport } from '../../ops/home-node.js';
import { noExtraArgs, optString, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { stopLine, STOP_OPTIONS } from '../policy-render.js';
import { formatTable } from '../table.js';

export default defineCommand<HomeNodeReport>({
  name: 'home-node',
  summary: 'Set the home node of bind / preferred_many ranges of a running process (set_mempolicy_home_node, Linux 5.17).',
  usage: 'numapol home-node PID (--range START[-END|+LEN] | --vma NAME) NODE [--allow-seccomp] [--dry-run] [--json]',
  options: {
    range: { type: 'string', valueName: 'START[-END|+LEN]', description: 'hex addresses as numa_maps prints them' },
    vma: { type: 'string', valueName: 'NAME', description: '[heap], [stack], a file path or a glob' },
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
    const range = optString(values, 'range');
    const vma = optString(values, 'vma');
    return setHomeNode(pid, { ...(range === undefined ? {} : { range: parseAddressRange(range) }), ...(vma === undefined ? {} : { vma }) }, node, {
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

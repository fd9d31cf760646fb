import { numastat, type CounterRow, type StatReport } from '../../ops/stat.js';
import { defineCommand } from '../command.js';
import { noExtraArgs, optInt, optList } from '../args.js';
import { formatMiB as mib, formatTable } from '../table.js';

const PAGE = 4096;

function nodeTable(first: string, nodes: readonly number[], rows: readonly (readonly string[])[]): string {
  return formatTable(
    [{ header: first }, ...nodes.map((n) => ({ header: `Node ${n}`, align: 'right' as const })), { header: 'Total', align: 'right' }],
    rows,
  );
}

function counterRows(rows: readonly CounterRow[], fmt: (name: string, v: number) => string): string[][] {
  return rows.map((r) => [r.name, ...r.perNode.map((v) => fmt(r.name, v)), fmt(r.name, r.total)]);
}

export default defineCommand<StatReport>({
  name: 'stat',
  summary: 'Per-node memory statistics, as numastat: allocation counters, per-node meminfo (-m) and per-process memory per node (-p).',
  usage: 'numapol stat [-p PID|NAME]... [-m] [-n] [--sort NODE] [--json]',
  options: {
    process: { type: 'string', short: 'p', multiple: true, valueName: 'PID|NAME', description: 'a process by pid, or every process whose name/cmdline contains NAME' },
    meminfo: { type: 'boolean', short: 'm', description: 'per-node meminfo (MiB), like numastat -m' },
    pages: { type: 'boolean', short: 'n', description: 'allocation counters in pages, as the kernel keeps them (numastat -n)' },
    sort: { type: 'string', short: 's', valueName: 'NODE', description: 'sort processes by their memory on NODE (default: by total)' },
  },
  details: `Without -p: the counters (MiB unless -n) and every process with resident memory, largest first.
JSON fields: nodes[]; counters[]: {name, perNode[] (pages), total}; meminfo[]: {name, perNode[] (bytes; counts
for HugePages_*), total}; processes[]: {pid, name, byCategory {huge, heap, stack, private}: bytes per node,
perNode[] (bytes), totalBytes}; unreadable (processes skipped for permissions).`,
  run: ({ values, positionals }) => {
    noExtraArgs(positionals, 0, 'stat');
    const sortNode = optInt(values, 'sort');
    return numastat({
      processes: optList(values, 'process'),
      meminfo: values['meminfo'] === true,
      ...(sortNode === undefined ? {} : { sortNode }),
    });
  },
  render: (r, { values }) => {
    const parts: string[] = [];
    if (r.counters) {
      const fmt = values['pages'] ? (_: string, v: number) => String(v) : (_: string, v: number) => mib(v * PAGE);
      parts.push(nodeTable('', r.nodes, counterRows(r.counters, fmt)));
    }
    if (r.meminfo) {
      parts.push(nodeTable('Per-node system memory usage (MiB)', r.nodes, counterRows(r.meminfo, (n, v) => (n.startsWith('HugePages_') ? String(v) : mib(v)))));
    }
    const ps = r.processes ?? [];
    if (ps.length === 1 && !r.counters) {
      const p = ps[0]!;
      const rows = (['huge', 'heap', 'stack', 'private'] as const).map((c) => {
        const v = p.byCategory[c];
        return [c[0]!.toUpperCase() + c.slice(1), ...v.map(mib), mib(v.reduce((a, b) => a + b, 0))];
      });
      rows.push(['Total', ...p.perNode.map(mib), mib(p.totalBytes)]);
      parts.push(`Per-node process memory usage (MiB) for PID ${p.pid} (${p.name})\n${nodeTable('', r.nodes, rows)}`);
    } else if (ps.length > 0) {
      const rows = ps.map((p) => [`${p.pid} (${p.name})`, ...p.perNode.map(mib), mib(p.totalBytes)]);
      const sums = r.nodes.map((_, i) => ps.reduce((a, p) => a + (p.perNode[i] ?? 0), 0));
      rows.push(['Total', ...sums.map(mib), mib(sums.reduce((a, b) => a + b, 0))]);
      parts.push(`Per-node process memory usage (MiB)\n${nodeTable('PID', r.nodes, rows)}`);
    }
    if (r.unreadable) parts.push(`(${r.unreadable} processes not readable: run as root to see them)`);
    return parts.join('\n\n');
  },
});

import { hardware, type HardwareReport } from '../../ops/hardware.js';
import { formatNodeList } from '../../policy/nodelist.js';
import { defineCommand } from '../command.js';
import { noExtraArgs } from '../args.js';
import { formatBytes, formatTable } from '../table.js';

export default defineCommand<HardwareReport>({
  name: 'hardware',
  summary: 'Show the NUMA nodes: CPUs, memory size/free/used per node, huge page pools and the distance matrix (a superset of numactl --hardware).',
  usage: 'numapol hardware [--json]',
  options: {},
  details: `JSON fields: possible, online, withMemory, withCpu (node lists); nodes[]: {node, cpus, memTotalBytes,
memFreeBytes, memUsedBytes, fileBytes, anonBytes, hugepages[]: {sizeBytes, total, free}, interleaveWeight?};
distances[i][j]: distance from online[i] to online[j] (10 = local).`,
  run: ({ positionals }) => {
    noExtraArgs(positionals, 0, 'hardware');
    return hardware();
  },
  render: (r) => {
    const cpuless = r.online.filter((n) => !r.withCpu.includes(n));
    const head = `available: ${r.online.length} node${r.online.length === 1 ? '' : 's'} (${formatNodeList(r.online)})${
      cpuless.length ? `; memory-only: ${formatNodeList(cpuless)}` : ''
    }`;
    const nodes = formatTable(
      [
        { header: 'node' },
        { header: 'cpus' },
        { header: 'size', align: 'right' },
        { header: 'free', align: 'right' },
        { header: 'used', align: 'right' },
        { header: 'file', align: 'right' },
        { header: 'anon', align: 'right' },
        { header: 'hugepages (free/total)' },
      ],
      r.nodes.map((n) => [
        String(n.node),
        n.cpus.length ? formatNodeList(n.cpus) : '-',
        formatBytes(n.memTotalBytes),
        formatBytes(n.memFreeBytes),
        formatBytes(n.memUsedBytes),
        formatBytes(n.fileBytes),
        formatBytes(n.anonBytes),
        n.hugepages.filter((h) => h.total > 0).map((h) => `${formatBytes(h.sizeBytes)}: ${h.free}/${h.total}`).join(', ') || '-',
      ]),
    );
    const dist = formatTable(
      [{ header: 'node' }, ...r.online.map((n) => ({ header: String(n), align: 'right' as const }))],
      r.online.map((n, i) => [String(n), ...(r.distances[i] ?? []).map(String)]),
    );
    return `${head}\n${nodes}\n\nnode distances:\n${dist}`;
  },
});

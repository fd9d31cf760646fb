import { listVmas, type MapsReport } from '../../ops/maps.js';
import { formatNodeList } from '../../policy/nodelist.js';
import { defineCommand } from '../command.js';
import { VMA_KIND_OPTIONS, vmaKinds } from '../selectors.js';
import { noExtraArgs, optInt, optString, pidArg } from '../args.js';
import { formatBytes, formatTable, hex } from '../table.js';

export default defineCommand<MapsReport>({
  name: 'maps',
  summary: 'Show every VMA of a process: range, permissions, what it maps, the mempolicy in force and its pages per node.',
  usage: 'numapol maps PID [--tid TID] [--anon|--file] [--text|--data] [--name PATTERN] [--min-pages N] [--smaps] [--json]',
  options: {
    tid: { type: 'string', valueName: 'TID', description: "one thread's view: VMAs without their own policy show this thread's" },
    ...VMA_KIND_OPTIONS,
    name: { type: 'string', valueName: 'PATTERN', description: "[heap], [stack], a path, a file name or a glob (*libc*)" },
    'min-pages': { type: 'string', valueName: 'N', description: 'only VMAs with at least N resident pages' },
    smaps: { type: 'boolean', description: 'also read smaps (Rss, Pss, THP) into the JSON output' },
  },
  details: `JSON fields: pid, tid?, vmas[]: {start, end (hex strings), perms, offset, dev, inode, path, kind
(file|anon|heap|stack|shm|huge|memfd|vdso|vvar|vsyscall|special), deleted, policyText, policy {mode, nodes, flags},
hugetlb, pagesPerNode {node: pages}, pages, anon, dirty, mapped, mapmax, swapcache, active, writeback, pageSizeKiB,
smaps?}.`,
  run: ({ positionals, values }) => {
    const pid = pidArg(positionals, 'maps');
    noExtraArgs(positionals, 1, 'maps');
    const tid = optInt(values, 'tid', 1);
    const name = optString(values, 'name');
    const minPages = optInt(values, 'min-pages');
    return listVmas(pid, {
      ...(tid === undefined ? {} : { tid }),
      ...(name === undefined ? {} : { name }),
      ...(minPages === undefined ? {} : { minPages }),
      ...vmaKinds(values),
      smaps: values['smaps'] === true,
    });
  },
  render: (r) => {
    const nodes = [...new Set(r.vmas.flatMap((v) => Object.keys(v.pagesPerNode).map(Number)))].sort((a, b) => a - b);
    const rows = r.vmas.map((v) => [
      `${hex(v.start)}-${hex(v.end)}`,
      v.perms,
      formatBytes(Number(v.end - v.start)),
      v.policyText ?? '?',
      ...nodes.map((n) => String(v.pagesPerNode[n] ?? 0)),
      v.pageSizeKiB !== undefined && v.pageSizeKiB !== 4 ? `${v.pageSizeKiB}k` : '',
      v.path || `[${v.kind}]`,
    ]);
    const summary = `${r.vmas.length} VMA${r.vmas.length === 1 ? '' : 's'}; pages on nodes ${formatNodeList(nodes) || '-'}`;
    return `${formatTable(
      [
        { header: 'range' },
        { header: 'perm' },
        { header: 'size', align: 'right' },
        { header: 'mempolicy' },
        ...nodes.map((n) => ({ header: `N${n}`, align: 'right' as const })),
        { header: 'pgsz' },
        { header: 'mapping' },
      ],
      rows,
    )}\n${summary}`;
  },
});

import { showProcess, type ProcessReport } from '../../ops/show.js';
import { formatNodeList } from '../../policy/nodelist.js';
import { defineCommand } from '../command.js';
import { noExtraArgs, pidArg } from '../args.js';
import { formatBytes, formatTable } from '../table.js';

export default defineCommand<ProcessReport>({
  name: 'show',
  summary: "Show a process: its threads and each thread's mempolicy as the kernel reports it, its cpuset, and its memory per node.",
  usage: 'numapol show PID [--exact [--allow-seccomp]] [--json]',
  options: {
    exact: { type: 'boolean', description: "ask each thread for its policy (injected get_mempolicy; stops the process briefly)" },
    'allow-seccomp': { type: 'boolean', description: 'with --exact: touch a process under a seccomp filter anyway' },
  },
  details: `Thread policies are read from /proc/PID/task/TID/numa_maps (the policy most VMAs show), or with
--exact asked of each thread (source get_mempolicy).
JSON fields: pid, name, state, cpuset {mems, cpus}, threads[]: {tid, name, policyText (kernel numa_maps form),
policy {mode, nodes, flags}, source}, memory[]: {node, totalBytes, anonBytes, fileBytes, hugeBytes, heapBytes,
stackBytes}, totalBytes.`,
  run: ({ positionals, values }) => {
    const pid = pidArg(positionals, 'show');
    noExtraArgs(positionals, 1, 'show');
    if (values['exact'] !== true) return showProcess(pid);
    return showProcess(pid, { exact: true, ...(values['allow-seccomp'] === true ? { seccomp: 'allow' as const } : {}) });
  },
  render: (r) => {
    const head = [
      `pid ${r.pid} (${r.name}), state ${r.state}, ${r.threads.length} thread${r.threads.length === 1 ? '' : 's'}`,
      `cpuset: mems ${formatNodeList(r.cpuset.mems) || '-'}, cpus ${formatNodeList(r.cpuset.cpus) || '-'}`,
    ].join('\n');
    const threads = formatTable(
      [{ header: 'tid', align: 'right' }, { header: 'name' }, { header: 'mempolicy' }],
      r.threads.map((t) => [String(t.tid), t.name, t.policyText]),
    );
    const mem = formatTable(
      [
        { header: 'node' },
        { header: 'total', align: 'right' },
        { header: 'anon', align: 'right' },
        { header: 'file', align: 'right' },
        { header: 'huge', align: 'right' },
      ],
      [
        ...r.memory.map((m) => [String(m.node), formatBytes(m.totalBytes), formatBytes(m.anonBytes), formatBytes(m.fileBytes), formatBytes(m.hugeBytes)]),
        [
          'all',
          formatBytes(r.totalBytes),
          formatBytes(r.memory.reduce((a, m) => a + m.anonBytes, 0)),
          formatBytes(r.memory.reduce((a, m) => a + m.fileBytes, 0)),
          formatBytes(r.memory.reduce((a, m) => a + m.hugeBytes, 0)),
        ],
      ],
    );
    return `${head}\n\n${threads}\n\nmemory per node:\n${mem}`;
  },
});

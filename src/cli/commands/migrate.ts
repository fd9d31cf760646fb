import { UsageError } from '../../errors.js';
import { migrateProcess, type MigrateReport } from '../../ops/migrate.js';
import { formatNodeList } from '../../policy/index.js';
import { noExtraArgs, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { flowTable, PACE_OPTIONS, SHARED_OPTIONS, tallyLine, withMoveOptions } from '../move-render.js';
import { formatBytes } from '../table.js';

export default defineCommand<MigrateReport>({
  name: 'migrate',
  summary: "Move all of a process's pages on nodes FROM to nodes TO, keeping their relative placement (migratepages), and say what did not move and why.",
  usage: 'numapol migrate PID FROM TO [--rate MB/s] [--batch PAGES] [--dry-run] [--json]',
  options: {
    ...SHARED_OPTIONS,
    'no-explain': { type: 'boolean', description: 'do not retry leftover pages one by one to learn why they stayed' },
    ...PACE_OPTIONS,
  },
  details: `FROM and TO are node lists (0-1, all, !3, +0). The k-th node of FROM goes to the (k mod |TO|)-th of TO,
as migrate_pages does; when the sizes differ, FROM nodes that are also in TO stay put.
All threads: the move acts on the address space, so every thread of PID (or of the process owning
thread PID) is covered. Without --rate/--batch: one migrate_pages call (fastest; holds the target for
the whole move). With either: paced move_pages steps with the same mapping.
Exit status 1 when pages that should have moved are still on FROM nodes.
JSON fields: pid, from, to, map[] {from, to}, dryRun, method (migrate_pages|move_pages), kernelNotMoved?,
flows[] {from, to, pages, bytes}, tally {moved, alreadyThere, notSelected, notPresent, busy, noMemory, shared,
other}, notMoved, leftovers[] {start, end, mapping, pagesPerNode, mapmax}, before {node: pages},
after? {node: pages}, pageSize, steps, longestStepMs, durationMs.`,
  run: async ({ positionals, values }) => {
    const pid = pidArg(positionals, 'migrate');
    const from = positionals[1];
    const to = positionals[2];
    if (from === undefined || to === undefined) throw new UsageError('migrate: usage: numapol migrate PID FROM TO');
    noExtraArgs(positionals, 3, 'migrate');
    return withMoveOptions(values, (common) => migrateProcess(pid, from, to, { ...common, explain: values['no-explain'] !== true }));
  },
  render: (r) => {
    const lines: string[] = [];
    const map = r.map.map((m) => `${m.from}→${m.to}`).join(' ') || 'nothing to move (every FROM node maps to itself)';
    const bytes = r.flows.reduce((s, f) => s + f.bytes, 0);
    if (r.dryRun) {
      lines.push(`plan for pid ${r.pid}, nodes ${formatNodeList(r.from)} → ${formatNodeList(r.to)} (${map}): ${formatBytes(bytes)} would move`);
      const t = flowTable(r.flows);
      if (t) lines.push(t);
      return lines.join('\n');
    }
    lines.push(`pid ${r.pid}, nodes ${formatNodeList(r.from)} → ${formatNodeList(r.to)} (${map}) with ${r.method}: moved ${formatBytes(bytes)} in ${r.durationMs.toFixed(0)} ms; longest step ${r.longestStepMs.toFixed(1)} ms (${r.steps} step${r.steps === 1 ? '' : 's'})`);
    const t = flowTable(r.flows);
    if (t) lines.push(t);
    if (r.kernelNotMoved !== undefined && r.kernelNotMoved > 0) lines.push(`migrate_pages reported ${r.kernelNotMoved} pages not moved`);
    if (r.method === 'move_pages' || r.leftovers.length > 0 || r.tally.moved > 0) lines.push(`per page: ${tallyLine(r.tally)}`);
    if (r.notMoved > 0) {
      lines.push(`${r.notMoved} pages are still on nodes ${formatNodeList(r.map.map((m) => m.from))}:`);
      for (const l of r.leftovers.slice(0, 20)) {
        const per = Object.entries(l.pagesPerNode).map(([n, p]) => `N${n}=${p}`).join(' ');
        lines.push(`  ${l.start}-${l.end} ${l.mapping} ${per}${l.mapmax > 1 ? ` (mapped by up to ${l.mapmax} processes)` : ''}`);
      }
      if (r.leftovers.length > 20) lines.push(`  ... ${r.leftovers.length - 20} more areas (--json for all)`);
    }
    return lines.join('\n');
  },
  exitCode: (r) => (r.notMoved > 0 ? 1 : 0),
});

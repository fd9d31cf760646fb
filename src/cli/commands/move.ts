import { UsageError } from '../../errors.js';
import { movePidRange, type MoveReport } from '../../ops/move.js';
import { noExtraArgs, optInt, optString, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { flowTable, PACE_OPTIONS, SHARED_OPTIONS, tallyLine, withMoveOptions } from '../move-render.js';
import { formatBytes } from '../table.js';
import { RANGE_OPTIONS, VMA_KIND_OPTIONS, rangeSelection, vmaKinds } from '../selectors.js';

export default defineCommand<MoveReport>({
  name: 'move',
  summary: "Move one area of a process's memory to a node (move_pages in bounded batches): a heap but not the text, one mmapped region.",
  usage:
    'numapol move PID (--range START[-END|+LEN] | --vma NAME | --anon|--file|--text|--data) --to NODE [--from NODES] [--pages N] [--rebind] [--rate MB/s] [--batch PAGES] [--dry-run] [--json]',
  options: {
    ...RANGE_OPTIONS,
    ...VMA_KIND_OPTIONS,
    to: { type: 'string', valueName: 'NODE', description: 'destination node' },
    from: { type: 'string', valueName: 'NODES', description: 'only pages now on these nodes' },
    pages: { type: 'string', valueName: 'N', description: 'move at most N pages' },
    rebind: { type: 'boolean', description: "also bind the range to NODE so new pages follow (injected mbind with MPOL_MF_MOVE)" },
    ...SHARED_OPTIONS,
    ...PACE_OPTIONS,
  },
  details: `Every page of the selection ends in one outcome: moved, already there, not selected (not on --from,
or past --pages), not present, busy, no memory (destination full), shared (needs CAP_SYS_NICE).
Exit status 1 when some selected pages could not move.
JSON fields: pid, to, from?, dryRun, segments[] {start, end (hex), mapping}, pages, pageSize,
tally {moved, alreadyThere, notSelected, notPresent, busy, noMemory, shared, other {ERRNO: pages}}, failed,
flows[] {from, to, pages, bytes} (dry run: the plan), bytesMoved, batchPages, steps, longestStepMs,
durationMs, rebind? {ranges[], mode, nodes, errors[] {start, end, errno, meaning}, stoppedMs}.`,
  run: async ({ positionals, values }) => {
    const pid = pidArg(positionals, 'move');
    noExtraArgs(positionals, 1, 'move');
    const to = optString(values, 'to');
    if (to === undefined) throw new UsageError('move: --to NODE is required');
    const { range, vma: name } = rangeSelection(values);
    const from = optString(values, 'from');
    const pages = optInt(values, 'pages');
    return withMoveOptions(values, (common) =>
      movePidRange(pid, {
        ...common,
        to,
        ...(range === undefined ? {} : { range }),
        ...(name === undefined ? {} : { name }),
        ...(from === undefined ? {} : { from }),
        ...(pages === undefined ? {} : { maxPages: pages }),
        ...vmaKinds(values),
        rebind: values['rebind'] === true,
      }),
    );
  },
  render: (r) => {
    const lines: string[] = [];
    const segs = r.segments.length === 1 ? `${r.segments[0]!.start}-${r.segments[0]!.end} ${r.segments[0]!.mapping}` : `${r.segments.length} areas`;
    if (r.dryRun) {
      const bytes = r.flows.reduce((s, f) => s + f.bytes, 0);
      lines.push(`plan for pid ${r.pid}, ${segs} (${r.pages} pages) → node ${r.to}: ${formatBytes(bytes)} would move`);
      const t = flowTable(r.flows);
      if (t) lines.push(t);
      lines.push(tallyLine(r.tally));
      return lines.join('\n');
    }
    lines.push(`pid ${r.pid}, ${segs} (${r.pages} pages) → node ${r.to}: moved ${formatBytes(r.bytesMoved)} in ${r.steps} step${r.steps === 1 ? '' : 's'} of up to ${r.batchPages} pages; longest step ${r.longestStepMs.toFixed(1)} ms, total ${r.durationMs.toFixed(0)} ms`);
    const t = flowTable(r.flows);
    if (t) lines.push(t);
    lines.push(tallyLine(r.tally));
    if (r.rebind) {
      lines.push(`rebound ${r.rebind.ranges.length} range${r.rebind.ranges.length === 1 ? '' : 's'} to node ${r.to} (target stopped ${r.rebind.stoppedMs.toFixed(1)} ms)`);
      for (const e of r.rebind.errors) lines.push(`  mbind ${e.start}-${e.end}: ${e.errno}: ${e.meaning}`);
    }
    return lines.join('\n');
  },
  exitCode: (r) => (r.failed > 0 || (r.rebind?.errors.length ?? 0) > 0 ? 1 : 0),
});

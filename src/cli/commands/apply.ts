import { readFileSync } from 'node:fs';
import { NumapolError } from '../../errors.js';
import { applyCommands, type ApplyReport } from '../../ops/apply.js';
import { noExtraArgs, pidArg } from '../args.js';
import { defineCommand } from '../command.js';
import { rangeTable, stopLine, STOP_OPTIONS, threadTable } from '../policy-render.js';

function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new NumapolError('ENOENT', `cannot read ${path === '-' ? 'standard input' : path}: ${(e as Error).message}`, { usage: true, cause: e });
  }
}

export default defineCommand<ApplyReport>({
  name: 'apply',
  summary: "Apply the seeds' numa_maps write syntax to a running process, one command a line, all lines checked first.",
  usage: 'numapol apply PID [FILE|-] [--move] [--strict] [--allow-seccomp] [--dry-run] [--json]',
  options: {
    move: { type: 'boolean', description: 'range lines also move the pages already there (MPOL_MF_MOVE)' },
    strict: { type: 'boolean', description: 'range lines fail if pages do not follow the policy (MPOL_MF_STRICT)' },
    ...STOP_OPTIONS,
  },
  details: `Lines (addresses in hex as numa_maps prints them, # comments):
  POLICY                    every thread's policy, e.g. bind=0,2-5
  ADDR POLICY               the VMA at ADDR, e.g. 2aaaaaaab000 interleave=1-3
  ADDR-ADDR POLICY          a range (also ADDR+LEN)
  ADDR N0>1, ADDR N0(100)>1 move the VMA's pages on node 0 to node 1 (at most 100)
Policy lines run in one stop of the process, all or nothing; migrate lines run after them, in order.
JSON fields: pid, dryRun, lines[] {line, text, kind (process|range|migrate), policy, threads[] {tid, before, after},
ranges[] {start, end, mapping, before, after}, migrate {...}}, stop.`,
  run: ({ positionals, values }) => {
    const pid = pidArg(positionals, 'apply');
    noExtraArgs(positionals, 2, 'apply');
    const text = readInput(positionals[1] ?? '-');
    return applyCommands(pid, text, {
      dryRun: values['dry-run'] === true,
      move: values['move'] === true,
      strict: values['strict'] === true,
      ...(values['allow-seccomp'] === true ? { seccomp: 'allow' as const } : {}),
    });
  },
  render: (r) => {
    const out: string[] = [];
    for (const l of r.lines) {
      out.push(`line ${l.line}: ${l.text}`);
      if (l.threads) out.push(threadTable(l.threads));
      if (l.ranges) out.push(rangeTable(l.ranges));
      if (l.migrate) {
        const m = l.migrate;
        out.push(`  ${r.dryRun ? 'would move' : 'moved'} ${m.tally.moved} page${m.tally.moved === 1 ? '' : 's'} (${m.start}-${m.end}); already there ${m.tally.alreadyThere}; failed ${m.failed}`);
      }
    }
    const s = stopLine(r.stop);
    if (s) out.push(s);
    return out.join('\n');
  },
  exitCode: (r) => (r.lines.some((l) => (l.migrate?.failed ?? 0) > 0) ? 1 : 0),
});

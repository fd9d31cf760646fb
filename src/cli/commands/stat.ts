import { existsSync } from 'node:fs';
import { NumapolError, ProcessGoneError, UsageError } from '../../errors.js';
import { numastat, type StatReport } from '../../ops/stat.js';
import { checkNodesExist } from '../../policy/index.js';
import { defineCommand } from '../command.js';
import { optList, optString } from '../args.js';
import type { FrontEndResult } from '../numactl/failure.js';
import { runNumastat } from '../numastat/driver.js';
import { numastatNodes } from '../numastat/report.js';
import { processIo } from '../runner.js';

const OPTIONS = {
  process: { type: 'string', short: 'p', multiple: true, valueName: 'PID|PATTERN', description: 'a process by pid, or every process whose name/cmdline contains PATTERN' },
  meminfo: { type: 'boolean', short: 'm', description: 'per-node meminfo (MB), numastat -m' },
  counters: { type: 'boolean', short: 'n', description: 'the allocation counters in MB (numastat -n); without arguments they are in pages' },
  compress: { type: 'boolean', short: 'c', description: 'columns as narrow as their contents, no decimals (numastat -c)' },
  verbose: { type: 'boolean', short: 'v', description: 'a table per process, also for several (numastat -v)' },
  'skip-zero': { type: 'boolean', short: 'z', description: 'leave out rows and columns of zeros (numastat -z)' },
  'sort-node': { type: 'string', short: 's', optionalValue: true, valueName: 'NODE', description: "sort rows by the total, or by NODE's column: -s, -s2 (numastat -s)" },
  sort: { type: 'string', valueName: 'NODE', description: "sort rows (and --json's processes) by NODE" },
  version: { type: 'boolean', short: 'V', description: 'the numastat version these layouts follow (numastat -V)' },
} as const;

/** A node given to --sort or -sNODE, checked against the machine's nodes. */
function sortNode(text: string | undefined, nodes: readonly number[]): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`stat: sort by a node number, not '${text}'`);
  checkNodesExist([Number(text)], nodes);
  return Number(text);
}

export default defineCommand<StatReport | FrontEndResult>({
  name: 'stat',
  summary: "Per-node memory statistics with numastat's command line and layouts: allocation counters, per-node meminfo (-m) and per-process memory per node (-p).",
  usage: 'numapol stat [-c] [-m] [-n] [-p PID|PATTERN]... [-s[NODE]] [-v] [-V] [-z] [PID|PATTERN]... [--json]',
  grammar: 'getopt',
  options: OPTIONS,
  details: `Prints numastat 2.0.16's layouts: without arguments its original counters table (pages); with
options the MB tables; NUMASTAT_WIDTH folds them. Unlike numastat, a PATTERN that matches nothing, a
PID that is gone and a node that does not exist are errors. docs/numactl-compat.md compares every option.
JSON fields (numapol's, not numastat's): nodes[]; counters[]: {name, perNode[] (pages), total}; meminfo[]:
{name, perNode[] (bytes; counts for HugePages_*), total}; processes[]: {pid, name, byCategory {huge,
heap, stack, private}: bytes per node, perNode[] (bytes), totalBytes}; unreadable (processes skipped
for permissions). Without -p or PIDs: every process with resident memory.`,
  run: ({ values, positionals, sequence, argc, io = processIo }) => {
    const nodes = numastatNodes();
    const sortText = optString(values, 'sort') ?? (typeof values['sort-node'] === 'string' ? values['sort-node'] : undefined);
    const node = sortNode(sortText, nodes);
    if (values['json'] === true) {
      return numastat({
        processes: [...optList(values, 'process'), ...positionals],
        meminfo: values['meminfo'] === true,
        ...(node === undefined ? {} : { sortNode: node }),
      });
    }
    const events = sequence ?? [];
    const status = runNumastat({
      events,
      operands: positionals,
      options: OPTIONS,
      compat: argc === 0,
      io,
      env: process.env,
      isTty: process.stdout.isTTY === true,
      usage: (problem) => {
        throw new UsageError(`stat: ${problem ?? 'bad usage'}`);
      },
      noMatch: (pattern) => {
        throw new NumapolError('ENOPROC', `no process matches '${pattern}'`);
      },
      checkPid: (pid) => {
        if (!existsSync(`/proc/${pid}`)) throw new ProcessGoneError(pid);
      },
      ...(node === undefined ? {} : { sortNode: nodes.indexOf(node) }),
    });
    return { status };
  },
  render: () => '',
  exitCode: (d) => ('status' in d ? d.status : 0),
});

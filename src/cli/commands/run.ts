import { UsageError } from '../../errors.js';
import { planRun, runUnderPolicy, type RunPlan } from '../../ops/run.js';
import { readLibnumaView } from '../../topology/libnuma-view.js';
import { defineCommand } from '../command.js';
import { runNumactl } from '../numactl/engine.js';
import { numapolReporter, type FrontEndResult } from '../numactl/failure.js';
import { NUMACTL_OPTIONS } from '../numactl/options.js';
import { processIo } from '../runner.js';

/** Options that do something other than launch a program: --dry-run has nothing to plan with them. */
const NOT_A_LAUNCH = ['show', 'hardware', 'shm', 'file', 'dump', 'dump-nodes', 'touch', 'verify'];

export default defineCommand<RunPlan | FrontEndResult>({
  name: 'run',
  summary:
    'Run a program under a mempolicy and CPU binding, as numactl does: the program replaces numapol (same pid) and keeps its exit status. Takes all of numactl 2.0.16\'s options.',
  usage: 'numapol run [NUMACTL OPTIONS] [--policy SPEC] [--dry-run] [--] PROGRAM [ARGS]',
  optionsFirst: true,
  grammar: 'getopt',
  options: {
    ...NUMACTL_OPTIONS,
    'weighted-interleave': { type: 'string', short: 'w', valueName: 'NODES', description: 'interleave by the node weights (6.9+)' },
    policy: { type: 'string', valueName: 'SPEC', description: 'any policy text: bind=static:0-1, prefer (many):0,2, interleave={2,3}...' },
    'home-node': { type: 'string', valueName: 'NODE', description: 'not possible before start: see the error it gives' },
    'dry-run': { type: 'boolean', description: 'print what would run, under which policy and CPUs, and exit' },
  },
  details: `Options act in order, as numactl's do; long options abbreviate (--inter=all). -s/--show and
-H/--hardware print numactl's layouts ('numapol show' and 'numapol hardware' are numapol's views);
--shm/--file attach shared memory that later policy options, --touch, --dump and --verify act on.
NODES: numactl node lists: 0,2-5, all, !1 (all but 1), +0-1 (relative to the cpuset), 0x3.
Errors are numapol's (exit 2 for bad usage); 'numapol numactl' answers with numactl's own.
docs/numactl-compat.md lists every numactl option and what numapol does with it.
Examples: numapol run --interleave=all -- ./app
          numapol run -m 0 -N 0 ./app --its-flags
          numapol run --policy 'bind=static:0-1' -- ./app
JSON (--dry-run --json): {policy (kernel numa_maps form), cpus[], argv[]}.`,
  run: ({ sequence, rest, values, io = processIo }) => {
    const dryRun = values['dry-run'] === true;
    if (values['json'] === true && !dryRun) throw new UsageError('run: --json goes with --dry-run');
    const odd = NOT_A_LAUNCH.find((o) => values[o] !== undefined);
    if (dryRun && odd !== undefined) throw new UsageError(`run: --dry-run plans a program launch, and --${odd} is not one`);
    const end = runNumactl(sequence ?? [], rest, { dialect: 'numapol', io, reporter: numapolReporter('run'), view: readLibnumaView() });
    if (end.kind === 'exit') return { status: end.status };
    if (end.kind === 'exec') throw new Error('the numapol dialect never execs by itself');
    return dryRun ? planRun(end.spec, end.argv) : runUnderPolicy(end.spec, end.argv);
  },
  render: (d) =>
    'status' in d
      ? ''
      : [`policy: ${d.policy ?? '(inherited)'}`, `cpus:   ${d.cpus?.join(',') ?? '(inherited)'}`, `argv:   ${d.argv.join(' ')}`].join('\n'),
  exitCode: (d) => ('status' in d ? d.status : 0),
});

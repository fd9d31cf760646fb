import { UsageError } from '../../errors.js';
import { parseCpuList, planRun, runUnderPolicy, type RunPlan, type RunSpec } from '../../ops/run.js';
import { userNodes, userPolicy } from '../../ops/user-policy.js';
import { checkPolicy, mempolicy, type Mempolicy, type MempolicyMode } from '../../policy/index.js';
import { defineCommand, type ParsedValues } from '../command.js';
import { optString } from '../args.js';

/** numactl's policy options, each a mode over a node list. */
const MODE_OPTIONS: Readonly<Record<string, MempolicyMode>> = {
  interleave: 'interleave',
  membind: 'bind',
  preferred: 'preferred',
  'preferred-many': 'preferred_many',
  'weighted-interleave': 'weighted_interleave',
};

function policyOf(values: ParsedValues): Mempolicy | undefined {
  const given = Object.keys(MODE_OPTIONS).filter((k) => typeof values[k] === 'string');
  if (values['localalloc']) given.push('localalloc');
  const spec = optString(values, 'policy');
  if (spec !== undefined) given.push('policy');
  if (given.length > 1) throw new UsageError(`run: --${given.join(' and --')} conflict: give one policy`);
  if (values['balancing'] && !(given[0] === 'membind' || given[0] === 'preferred-many' || given[0] === 'policy')) {
    throw new UsageError('run: --balancing goes with --membind or --preferred-many');
  }
  const target = { ignoreCpuset: values['all'] === true };
  let p: Mempolicy | undefined;
  if (spec !== undefined) p = userPolicy(spec, target);
  else if (values['localalloc']) p = mempolicy('local');
  else if (given[0] !== undefined) {
    const mode = MODE_OPTIONS[given[0]]!;
    p = checkPolicy(mempolicy(mode, userNodes(optString(values, given[0])!, target)));
  }
  if (p && values['balancing'] && !p.flags.balancing) p = { ...p, flags: { ...p.flags, balancing: true } };
  const home = optString(values, 'home-node');
  if (home !== undefined) {
    throw new UsageError(
      "run: --home-node cannot be set before the program starts: the kernel keeps a home node per address range (set_mempolicy_home_node), and a new program has none yet; use 'numapol home-node PID --range ...' once it runs",
    );
  }
  return p;
}

export default defineCommand<RunPlan>({
  name: 'run',
  summary: 'Run a program under a mempolicy and CPU binding, as numactl does: the program replaces numapol (same pid) and keeps its exit status.',
  usage: 'numapol run [POLICY OPTIONS] [--cpunodebind=NODES] [--physcpubind=CPUS] [--] PROGRAM [ARGS]',
  optionsFirst: true,
  options: {
    interleave: { type: 'string', short: 'i', valueName: 'NODES', description: 'interleave pages over NODES' },
    membind: { type: 'string', short: 'm', valueName: 'NODES', description: 'allocate only on NODES (bind)' },
    preferred: { type: 'string', short: 'p', valueName: 'NODE', description: 'prefer NODE, fall back to others' },
    'preferred-many': { type: 'string', short: 'P', valueName: 'NODES', description: 'prefer any of NODES (5.15+)' },
    'weighted-interleave': { type: 'string', short: 'w', valueName: 'NODES', description: 'interleave by the node weights (6.9+)' },
    localalloc: { type: 'boolean', short: 'l', description: 'allocate on the node the thread runs on (local)' },
    policy: { type: 'string', valueName: 'SPEC', description: 'any policy text: bind=static:0-1, prefer (many):0,2, interleave={2,3}...' },
    balancing: { type: 'boolean', short: 'b', description: 'NUMA balancing within the nodes (with --membind/--preferred-many)' },
    'home-node': { type: 'string', valueName: 'NODE', description: 'not possible before start: see the error it gives' },
    cpunodebind: { type: 'string', short: 'N', valueName: 'NODES', description: 'run only on the CPUs of NODES' },
    physcpubind: { type: 'string', short: 'C', valueName: 'CPUS', description: 'run only on CPUS (0-3,6)' },
    all: { type: 'boolean', short: 'a', description: "node lists ('all', '+N') refer to every node, not this cpuset" },
    'dry-run': { type: 'boolean', description: 'print what would run, under which policy and CPUs, and exit' },
  },
  details: `NODES: numactl node lists: 0,2-5, all, !1 (all but 1), +0-1 (relative to the cpuset), 0x3.
Examples: numapol run --interleave=all -- ./app
          numapol run -m 0 -N 0 ./app --its-flags
          numapol run --policy 'bind=static:0-1' -- ./app
JSON (--dry-run --json): {policy (kernel numa_maps form), cpus[], argv[]}.`,
  run: ({ values, rest }) => {
    const policy = policyOf(values);
    const cpuNodes = optString(values, 'cpunodebind');
    const cpus = optString(values, 'physcpubind');
    const spec: RunSpec = {
      ...(policy ? { policy } : {}),
      ...(cpuNodes === undefined ? {} : { cpuNodes: userNodes(cpuNodes, { ignoreCpuset: values['all'] === true }) }),
      ...(cpus === undefined ? {} : { cpus: parseCpuList(cpus) }),
    };
    if (values['dry-run']) return planRun(spec, rest);
    return runUnderPolicy(spec, rest);
  },
  render: (plan) =>
    [`policy: ${plan.policy ?? '(inherited)'}`, `cpus:   ${plan.cpus?.join(',') ?? '(inherited)'}`, `argv:   ${plan.argv.join(' ')}`].join('\n'),
});

/**
 * Admission: which nodes a job that has not started yet should get, like `numad -w NCPUS:MB`.
 * The same candidates and score as for a running process, with nothing already anywhere: memory
 * fit (free memory against its size), CPU (idle CPUs against the CPUs asked for, taken as given,
 * not inflated by the target utilisation: a request is not a measurement), distance inside the
 * set, and headroom, which sends jobs to the emptier nodes when several can hold them.
 * Locality is left out (weight 0): there is nothing of the job anywhere yet.
 */
import { NumapolError } from '../../errors.js';
import { candidatesFor } from './candidates.js';
import { indexMachine, initialCapacity, zeros, type ProcessView } from './context.js';
import { DEFAULT_WEIGHTS, type Placement, type PlacementMachine, type ScoreWeights } from './model.js';
import { bytesText, nodesText } from './text.js';

export interface AdmissionRequest {
  /** CPUs the job will keep busy (may be fractional). */
  readonly cpus: number;
  readonly memBytes: number;
}

export interface AdmissionOptions {
  /** Where the job may go (its cgroup's cpuset); default every node and CPU. */
  readonly cpuset?: { readonly mems: readonly number[]; readonly cpus: readonly number[] };
  readonly weights?: ScoreWeights;
}

export interface Advice {
  readonly request: AdmissionRequest;
  /**
   * The nodes to give the job: where the best candidate puts its memory and its CPUs (those its
   * cpuset lets it allocate on). A job bound to them allocates on the node it runs on first.
   */
  readonly nodes: readonly number[];
  /** The best node set that holds the job's memory; null when none does. */
  readonly best: Placement | null;
  /** Every candidate, best first. */
  readonly candidates: readonly Placement[];
  readonly reason: string;
}

export function adviseNodes(request: AdmissionRequest, machine: PlacementMachine, opts: AdmissionOptions = {}): Advice {
  if (!(request.cpus >= 0) || !Number.isFinite(request.cpus)) throw new NumapolError('EINVAL', `cpus must be a number of CPUs (0 or more), not ${request.cpus}`);
  if (!(request.memBytes >= 0) || !Number.isFinite(request.memBytes)) throw new NumapolError('EINVAL', `memory must be a number of bytes (0 or more), not ${request.memBytes}`);
  const ix = indexMachine(machine);
  const cap = initialCapacity(machine, ix);
  const n = ix.ids.length;
  const mems = new Set(opts.cpuset?.mems ?? ix.ids);
  const cpus = opts.cpuset === undefined ? undefined : new Set(opts.cpuset.cpus);
  const view: ProcessView = {
    sample: {
      pid: 0,
      start: 0,
      comm: 'new job',
      bytesPerNode: {},
      totalBytes: request.memBytes,
      cpuPerNode: {},
      cpuUsed: request.cpus,
      cpuMeasured: true,
      threads: Math.max(1, Math.ceil(request.cpus)),
      threadsPerNode: {},
      cpuset: { mems: [...mems], cpus: cpus === undefined ? ix.cpus.flat() : [...cpus] },
      policy: { text: 'default', mode: 'default', nodes: [], balancing: false },
    },
    here: zeros(n),
    size: request.memBytes,
    own: zeros(n),
    cpuShare: zeros(n),
    anyCpu: false,
    use: request.cpus,
    need: request.cpus,
    demand: request.cpus,
    memAllowed: ix.ids.map((id, i) => mems.has(id) && ix.totalBytes[i]! > 0),
    cpusAllowed: ix.cpus.map((list) => (cpus === undefined ? list : list.filter((c) => cpus.has(c)))),
    localRatio: 0,
    fresh: true,
  };
  const weights = { ...(opts.weights ?? DEFAULT_WEIGHTS), locality: 0 };
  const candidates = candidatesFor(view, ix, cap, weights);
  const best = candidates[0]?.fits === true ? candidates[0] : null;
  const asked = `${request.cpus} CPU${request.cpus === 1 ? '' : 's'} and ${bytesText(request.memBytes)}`;
  const nodes = best === null ? [] : [...new Set([...best.nodes, ...best.cpuNodes.filter((id) => view.memAllowed[ix.indexOf.get(id)!])])].sort((a, b) => a - b);
  const reason = best === null ? `no node set has room for ${asked}` : `${nodesText(nodes)} for ${asked} (score ${best.score.toFixed(2)}): ${best.reason}`;
  return { request, nodes, best, candidates, reason };
}

/**
 * `numapol run`: what numactl does — set this process's mempolicy and CPU affinity, then execve
 * the program, which keeps our pid, inherits the policy (it survives execve) and exits with its
 * own status. koffi calls run on the main thread, which is the thread that calls execve and so
 * the only one left afterwards: the policy and affinity set here are the program's.
 */
import { NumapolError, UsageError } from '../errors.js';
import { execvp, schedSetaffinity, setMempolicy } from '../kernel/index.js';
import { formatPolicy, toKernelMode, type Mempolicy, type NodeSet } from '../policy/index.js';
import { readMachine } from '../topology/machine.js';
import { parseRanges } from '../kernel/range-list.js';
import { checkKernelSupports } from './kernel-support.js';
import type { OpsOptions } from './options.js';

export interface RunSpec {
  /** Mempolicy of the program; absent keeps the inherited one. */
  readonly policy?: Mempolicy;
  /** Run only on the CPUs of these nodes (`--cpunodebind`). */
  readonly cpuNodes?: NodeSet;
  /** Run only on these CPUs (`--physcpubind`). */
  readonly cpus?: readonly number[];
}

export interface RunPlan {
  readonly policy?: string;
  /** The CPUs the program may run on, after `cpuNodes` / `cpus` were resolved. */
  readonly cpus?: readonly number[];
  readonly argv: readonly string[];
}

/** The CPUs a spec binds to, checked against the machine; undefined when it does not bind CPUs. */
export function resolveRunCpus(spec: RunSpec, opts: OpsOptions = {}): number[] | undefined {
  if (spec.cpuNodes === undefined && spec.cpus === undefined) return undefined;
  const m = readMachine(opts.root === undefined ? {} : { root: opts.root });
  const online = new Set(Object.keys(m.cpuToNode).map(Number));
  let cpus: number[] | undefined;
  if (spec.cpuNodes !== undefined) {
    cpus = m.nodes.filter((n) => spec.cpuNodes!.includes(n.id)).flatMap((n) => n.cpus);
    if (cpus.length === 0) {
      throw new NumapolError('ENOCPU', `node${spec.cpuNodes.length > 1 ? 's' : ''} ${spec.cpuNodes.join(',')} ha${spec.cpuNodes.length > 1 ? 've' : 's'} no CPUs (memory-only node): --cpunodebind needs a node with CPUs`, { usage: true });
    }
  }
  if (spec.cpus !== undefined) {
    const bad = spec.cpus.filter((c) => !online.has(c));
    if (bad.length > 0) {
      throw new NumapolError('ENOCPU', `cpu ${bad.join(',')} does not exist: this machine has cpus ${[...online].sort((a, b) => a - b).join(',')}`, { usage: true });
    }
    cpus = cpus === undefined ? [...spec.cpus] : cpus.filter((c) => spec.cpus!.includes(c));
    if (cpus.length === 0) throw new NumapolError('ENOCPU', '--physcpubind and --cpunodebind leave no CPU to run on', { usage: true });
  }
  return cpus;
}

/** A CPU list as users type it (`0-3,6`), checked later against the machine. */
export function parseCpuList(text: string): number[] {
  try {
    return parseRanges(text);
  } catch (e) {
    throw new UsageError(`bad CPU list '${text}': expected numbers and ranges like 0-3,6`, { cause: e });
  }
}

export function planRun(spec: RunSpec, argv: readonly string[], opts: OpsOptions = {}): RunPlan {
  if (argv.length === 0) throw new UsageError('run: no program given: numapol run [OPTIONS] -- PROGRAM [ARGS]');
  const cpus = resolveRunCpus(spec, opts);
  return {
    ...(spec.policy ? { policy: formatPolicy(spec.policy) } : {}),
    ...(cpus ? { cpus } : {}),
    argv,
  };
}

/**
 * Sets the spec's CPU affinity and mempolicy on this thread (what `numactl --show` then reads
 * back, and what an exec'd program inherits).
 */
export function applyRunSpec(spec: RunSpec, opts: OpsOptions = {}): void {
  const cpus = resolveRunCpus(spec, opts);
  if (spec.policy) checkKernelSupports(spec.policy, opts);
  if (cpus) schedSetaffinity(0, cpus);
  if (spec.policy) {
    const k = toKernelMode(spec.policy);
    setMempolicy(k.mode, k.nodes);
  }
}

/**
 * Apply the spec to this thread and replace the process with the program. Returns only by
 * throwing (bad program, policy the kernel refuses).
 */
export function runUnderPolicy(spec: RunSpec, argv: readonly string[], opts: OpsOptions = {}): never {
  planRun(spec, argv, opts);
  applyRunSpec(spec, opts);
  const [file] = argv as [string, ...string[]];
  return execvp(file, argv);
}

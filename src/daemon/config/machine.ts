/**
 * The configuration's policies, node lists, CPU lists and users checked against the machine
 * under `root`, through ops/ (the project's own parsers and validators, so problems read as the
 * CLI's do). The machine is read once per load, and only as far as the file needs it.
 *
 * A machine with exactly one node online (no NUMA) is lenient: a rule naming nodes it lacks is
 * not an error but reports them, so that one file serves a fleet of NUMA and non-NUMA machines.
 */
import { NumapolError, UsageError } from '../../errors.js';
import { hardware, type HardwareReport } from '../../ops/hardware.js';
import { uidOfUser } from '../../ops/read/passwd.js';
import { parseCpuList } from '../../ops/run.js';
import { nodeContext, userNodes, userPolicy } from '../../ops/user-policy.js';
import { checkPolicy, formatNodeList, MAX_NUMNODES, nodeSet, parseNodeList, parsePolicy, type NodeContext, type NodeSet } from '../../policy/index.js';
import type { CpuListSpec, NodeListSpec, PolicySpec } from './types.js';

/** A checked value and the nodes it names that this one-node machine lacks (else empty). */
export interface Checked<T> {
  readonly value: T;
  readonly missing: NodeSet;
}

export interface MachineChecks {
  policy(text: string): Checked<PolicySpec>;
  nodes(text: string): Checked<NodeListSpec>;
  /** Nodes whose CPUs a rule binds to: at least one of them must have CPUs. */
  cpuNodes(text: string): Checked<NodeListSpec>;
  cpus(text: string): CpuListSpec;
  /** uid of a user name, null when this machine has no such user. */
  uid(name: string): number | null;
  /** The machine's online nodes. */
  readonly onlineNodes: NodeSet;
}

/** The largest machine the kernel allows: every node id exists, the cpuset allows them all. */
const EVERY_NODE: NodeContext = (() => {
  const nodes = Array.from({ length: MAX_NUMNODES }, (_, i) => i);
  return { nodes, allowed: nodes };
})();

/** CONFIG_NR_CPUS is at most 8192: larger numbers are refused before a range is expanded. */
const MAX_CPUS = 8192;

/** `all` and `+N` mean the target's cpuset nodes. */
export function perTarget(text: string): boolean {
  return /\ball\b/i.test(text) || text.includes('+');
}

export function machineChecks(root?: string): MachineChecks {
  const opts = { ...(root === undefined ? {} : { root }), ignoreCpuset: true };
  const ctx = nodeContext(opts);
  let hw: HardwareReport | undefined;
  const machine = (): HardwareReport => (hw ??= hardware(root === undefined ? {} : { root }));
  let users: Map<string, number | null> | undefined;

  const singleNode = (): boolean => ctx.nodes.length === 1;

  /**
   * The text checked against this machine; on a one-node machine, text that fails only because
   * of the machine (nodes it lacks, `+1`, `!0`) is read as on the largest machine instead, and
   * the nodes it names beyond this one come back as `missing`. Text that fails there too is the
   * file's fault: the first error is thrown.
   */
  const lenient = <T>(strict: () => T, lax: (every: NodeContext) => T, named: (v: T) => readonly number[]): Checked<T> => {
    try {
      return { value: strict(), missing: [] };
    } catch (e) {
      if (!(e instanceof NumapolError) || !e.usage || !singleNode()) throw e;
      let value: T;
      try {
        value = lax(EVERY_NODE);
      } catch {
        throw e;
      }
      const here = new Set(ctx.nodes);
      const missing = nodeSet(named(value).filter((n) => !here.has(n)));
      if (missing.length === 0) throw e;
      return { value, missing };
    }
  };

  return {
    get onlineNodes() {
      return ctx.nodes;
    },

    policy(text) {
      const { value: policy, missing } = lenient(
        () => userPolicy(text, opts),
        (every) => parsePolicy(text, every),
        // A relative policy's numbers are positions in the cpuset, not nodes (checkNodes skips them too).
        (p) => [...(p.flags.remap === 'relative' ? [] : p.nodes), ...(p.homeNode === undefined ? [] : [p.homeNode])],
      );
      // Rules the kernel has for every machine (preferred takes one node...) still hold.
      if (missing.length > 0) checkPolicy(policy);
      return { value: { text, policy, perTarget: perTarget(text) }, missing };
    },

    nodes(text) {
      const { value: nodes, missing } = lenient(
        () => userNodes(text, opts),
        (every) => parseNodeList(text, every),
        (n) => n,
      );
      return { value: { text, nodes, perTarget: perTarget(text) }, missing };
    },

    cpuNodes(text) {
      const checked = this.nodes(text);
      if (checked.missing.length > 0) return checked;
      const named = new Set(checked.value.nodes);
      const withCpus = machine().nodes.filter((n) => named.has(n.node) && n.cpus.length > 0);
      if (withCpus.length === 0) {
        const list = formatNodeList(checked.value.nodes);
        const one = checked.value.nodes.length === 1;
        throw new UsageError(`node${one ? '' : 's'} ${list} ha${one ? 's' : 've'} no CPUs (memory-only): bind to nodes with CPUs`);
      }
      return checked;
    },

    cpus(text) {
      const have = machine().nodes.flatMap((n) => n.cpus).sort((a, b) => a - b);
      const haveText = have.length === 0 ? 'no cpus' : `cpus ${formatNodeList(have)}`;
      const huge = (text.match(/\d+/g) ?? []).map(Number).find((n) => n >= MAX_CPUS);
      if (huge !== undefined) throw new UsageError(`cpu ${huge} does not exist: this machine has ${haveText}`);
      const cpus = parseCpuList(text);
      if (cpus.length === 0) throw new UsageError(`bad CPU list '${text}': it names no CPU`);
      const known = new Set(have);
      const bad = cpus.filter((c) => !known.has(c));
      if (bad.length > 0) {
        throw new UsageError(`${bad.length === 1 ? 'cpu' : 'cpus'} ${formatNodeList(bad)} ${bad.length === 1 ? 'does' : 'do'} not exist: this machine has ${haveText}`);
      }
      return { text, cpus };
    },

    uid(name) {
      users ??= new Map();
      if (!users.has(name)) users.set(name, uidOfUser(name, root === undefined ? {} : { root }) ?? null);
      return users.get(name)!;
    },
  };
}

/** "names nodes 2-3; this machine has only node 0: the rule stays inactive here". */
export function inactiveReason(missing: NodeSet, online: NodeSet): string {
  const named = missing.length === 1 ? `node ${missing[0]}` : `nodes ${formatNodeList(missing)}`;
  return `names ${named}; this machine has only node ${formatNodeList(online)}: the rule stays inactive here`;
}

/**
 * numactl's command line, acted on option by option as numactl 2.0.16 does: each policy option
 * applies at once (to the process, or to the shared memory attached before it), --show and
 * --hardware print and end, --dump/--touch/--verify act where they stand, and the checks on
 * option order (--all first, policy after --shm, one policy) fail at the option that breaks them.
 *
 * Two dialects share it. 'numactl' is the drop-in front end: libnuma's node lists, numactl's
 * messages and exit statuses, the process changed as each option comes. 'numapol' is `numapol
 * run`: numapol's node lists and errors, its extra options, and the process policy gathered into
 * a RunSpec that ops/run.ts applies just before --show or the exec.
 */
import { UsageError } from '../../errors.js';
import { MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED, MPOL_PREFERRED_MANY } from '../../kernel/index.js';
import { kernelSupportProblem } from '../../ops/kernel-support.js';
import { applyRunSpec, type RunSpec } from '../../ops/run.js';
import { userNodes, userPolicy } from '../../ops/user-policy.js';
import { checkPolicy, mempolicy, toKernelMode, type Mempolicy, type MempolicyMode } from '../../policy/index.js';
import type { LibnumaView } from '../../topology/libnuma-view.js';
import type { Io } from '../command.js';
import { isProblem, type GetoptEvent } from '../getopt.js';
import type { Reporter } from './failure.js';
import { hardwareText } from './hardware.js';
import { parseLibnumaCpus, parseLibnumaNodes, strtoul, type MaskSpace } from './nodestring.js';
import { bindArea, selfInterleave, selfLocal, selfMembind, selfPreferred, selfPreferredMany, selfRunOnCpus, selfRunOnNodes } from './self.js';
import { attachFile, attachSysv, checkBeyond, dumpNodesText, dumpText, touch, verifyText, type ShmArea } from './shm.js';
import { showText } from './show.js';

export interface EngineSetup {
  readonly dialect: 'numactl' | 'numapol';
  readonly io: Io;
  readonly reporter: Reporter;
  readonly view: LibnumaView;
}

export type EngineEnd =
  /** Output written; exit with this status. */
  | { readonly kind: 'exit'; readonly status: number }
  /** numactl dialect: the policy and binding are in place; exec the program. */
  | { readonly kind: 'exec'; readonly argv: readonly string[] }
  /** numapol dialect: apply this spec and exec the program (or plan it, with --dry-run). */
  | { readonly kind: 'run'; readonly spec: RunSpec; readonly argv: readonly string[] };

/** numactl's memsize: strtoul with base 0, then a k, m or g (any case) multiplies. */
export function memsize(text: string): bigint {
  const r = strtoul(text, 0);
  const unit = (text[r.end] ?? '').toUpperCase();
  const mult = unit === 'G' ? 1n << 30n : unit === 'M' ? 1n << 20n : unit === 'K' ? 1n << 10n : 1n;
  return BigInt.asUintN(64, BigInt.asIntN(64, r.value) * mult);
}

const POLICY_MODES: Readonly<Record<string, MempolicyMode>> = {
  interleave: 'interleave',
  membind: 'bind',
  preferred: 'preferred',
  'preferred-many': 'preferred_many',
  'weighted-interleave': 'weighted_interleave',
  localalloc: 'local',
};

/** What --policy SPEC counts as for numactl's one-policy rule: any mode. */
const ANY_POLICY = 100;

/** The option as numactl names it in the messages that quote one. */
const CPUBIND_NAMES: Readonly<Record<string, string>> = {
  cpubind: '-c/--cpubind/--cpunodebind',
  cpunodebind: '-c/--cpubind/--cpunodebind',
  physcpubind: '-C/--physcpubind',
};

export function runNumactl(events: readonly GetoptEvent[], rest: readonly string[], setup: EngineSetup): EngineEnd {
  return new Engine(setup).run(events, rest);
}

class Engine {
  private readonly exact: boolean;
  private readonly r: Reporter;
  private policySet = -1;
  private parseAll = false;
  private didNodeCpuParse = false;
  private didCpubind = false;
  private didStrict = false;
  private strict = false;
  private balancing = false;
  private shmOption: string | undefined;
  private area: ShmArea | undefined;
  private mask: readonly number[] | undefined;
  private lastNodeText: string | undefined;
  private exitStatus = 0;
  private length = 0n;
  private offset = 0n;
  private mode = 0o600;
  private huge = false;
  private projId = 0n;
  /** numapol dialect: the process policy and binding, applied before --show or the exec. */
  private plannedCpus: Pick<RunSpec, 'cpus' | 'cpuNodes'> = {};
  private plannedMode: { option: string; nodes: readonly number[] } | undefined;
  private plannedSpec: string | undefined;

  constructor(private readonly setup: EngineSetup) {
    this.exact = setup.dialect === 'numactl';
    this.r = setup.reporter;
  }

  run(events: readonly GetoptEvent[], rest: readonly string[]): EngineEnd {
    for (const e of events) {
      if (isProblem(e)) this.r.fail({ kind: 'getopt', problem: e.problem });
      const end = this.option(e.name, e.value ?? '');
      if (end) return end;
    }
    return this.finish(rest);
  }

  private usage(message?: string, detail?: string): never {
    return this.r.fail(this.exact || detail === undefined ? { kind: 'usage', ...(message === undefined ? {} : { message }) } : { kind: 'usage', message: detail });
  }

  private setpolicy(pol: number, option: string): void {
    if (this.policySet !== -1) this.usage('Conflicting policies', `--${option} conflicts with the policy given before it: give one policy`);
    this.policySet = pol;
  }

  private nopolicy(option: string): void {
    if (this.policySet >= 0) this.usage('specify policy after --shm/--file', `--${option} must come before the policy options`);
  }

  private noshm(opt: string): void {
    if (this.area) this.usage(`${opt} must be before shared memory specification`);
    this.shmOption = opt;
  }

  private needshm(opt: string): ShmArea {
    return this.area ?? this.usage(`${opt} must be after shared memory specification`);
  }

  private nodeSpace(): MaskSpace {
    const v = this.setup.view;
    return this.parseAll
      ? { allowed: v.possibleNodes, maskBits: v.cpumaskBits, flipCount: v.memNodes.length }
      : { allowed: v.allowedNodes, maskBits: v.nodemaskBits, flipCount: v.memNodes.length };
  }

  /** A node list: numactl's `same`, then libnuma's reading (front end) or numapol's. */
  private nodes(text: string): readonly number[] {
    let t = text;
    if (t === 'same') {
      if (this.lastNodeText === undefined) this.usage('same needs previous node specification');
      t = this.lastNodeText;
    } else this.lastNodeText = t;
    if (!this.exact) return userNodes(t, { ignoreCpuset: this.parseAll });
    const r = parseLibnumaNodes(t, this.nodeSpace());
    if (r.ok) return r.set;
    if (r.warning !== undefined) this.r.warn('nodeparse', r.warning);
    return this.r.fail({ kind: 'invalid', text, what: 'node' });
  }

  private cpus(text: string): readonly number[] {
    const v = this.setup.view;
    const space = this.parseAll
      ? { allowed: v.possibleCpus, maskBits: v.cpumaskBits, flipCount: v.configuredCpus }
      : { allowed: v.allowedCpus, maskBits: v.cpumaskBits, flipCount: v.configuredCpus };
    const r = parseLibnumaCpus(text, space);
    if (r.ok) return r.set;
    if (r.warning !== undefined) this.r.warn('cpuparse', r.warning);
    return this.r.fail({ kind: 'invalid', text, what: 'cpu', ...(r.warning === undefined ? {} : { warning: r.warning }) });
  }

  private option(name: string, value: string): EngineEnd | undefined {
    switch (name) {
      case 'show':
        return this.show();
      case 'hardware':
        this.nopolicy(name);
        this.setup.io.stdout(hardwareText(this.setup.view));
        return { kind: 'exit', status: 0 };
      case 'balancing':
        if (this.exact) this.nopolicy(name);
        this.balancing = true;
        return undefined;
      case 'interleave':
      case 'membind':
      case 'preferred':
      case 'preferred-many':
      case 'weighted-interleave':
        this.policyOption(name, value);
        return undefined;
      case 'localalloc':
        this.setpolicy(MPOL_LOCAL, name);
        if (this.area) this.bindShm('local', [], 'local allocation');
        else if (this.exact) selfLocal(this.r);
        else this.plan(name, []);
        return undefined;
      case 'policy':
        this.setpolicy(ANY_POLICY, name);
        this.plannedSpec = value;
        return undefined;
      case 'cpubind':
      case 'cpunodebind':
      case 'physcpubind':
        this.binding(name, value);
        return undefined;
      case 'shm':
      case 'file':
        if (this.didCpubind) this.usage('cannot do --cpubind on shared memory\n');
        this.nopolicy(name);
        this.area = this.attach(name, value);
        return undefined;
      case 'length':
        this.noshm('--length');
        this.length = memsize(value);
        return undefined;
      case 'offset':
        this.noshm('--offset');
        this.offset = memsize(value);
        return undefined;
      case 'shmmode': {
        this.noshm('--shmmode');
        const m = /^[0-7]+$/.exec(value.trim()) ? Number.parseInt(value.trim(), 8) : NaN;
        if (Number.isNaN(m)) this.usage(undefined, `--shmmode takes an octal mode, not '${value}'`);
        this.mode = m;
        return undefined;
      }
      case 'huge':
        this.noshm('--huge');
        this.huge = true;
        return undefined;
      case 'shmid': {
        const r = strtoul(value, 0);
        if (r.end === 0 || r.end !== value.length) this.usage(undefined, `--shmid takes a number, not '${value}'`);
        this.projId = r.value;
        return undefined;
      }
      case 'strict':
        this.didStrict = true;
        this.strict = true;
        return undefined;
      case 'dump':
      case 'dump-nodes': {
        if (!this.area) this.r.fail({ kind: 'complain', message: `Cannot do --${name} without shared memory.\n` });
        this.setup.io.stdout(name === 'dump' ? dumpText(this.area) : dumpNodesText(this.area));
        return undefined;
      }
      case 'touch': {
        const a = this.needshm('--touch');
        checkBeyond(a, '--touch', this.r);
        touch(a);
        return undefined;
      }
      case 'verify':
        this.verify();
        return undefined;
      case 'all':
        if (this.didNodeCpuParse) this.usage('--all/-a option must be before all cpu/node specifications');
        this.parseAll = true;
        return undefined;
      case 'home-node':
        throw new UsageError(
          "run: --home-node cannot be set before the program starts: the kernel keeps a home node per address range (set_mempolicy_home_node), and a new program has none yet; use 'numapol home-node PID --range ...' once it runs",
        );
      default:
        // numapol's own options (--dry-run, --json, --help, --debug): the command reads them.
        return undefined;
    }
  }

  private policyOption(name: string, value: string): void {
    const kernelMode = { interleave: MPOL_INTERLEAVE, membind: MPOL_BIND, preferred: MPOL_PREFERRED, 'preferred-many': MPOL_PREFERRED_MANY }[name] ?? 6;
    if (name === 'preferred-many' && this.exact && kernelSupportProblem(mempolicy('preferred_many', [0]))) {
      this.r.fail({ kind: 'complain', message: 'preferred-many requested without kernel support' });
    }
    // numactl checks the policy before reading --membind's nodes, after the others'.
    if (name === 'membind') this.setpolicy(kernelMode, name);
    const nodes = this.nodes(value);
    this.mask = nodes;
    this.didNodeCpuParse = true;
    const what = name === 'interleave' ? 'setting interleave mask' : name === 'membind' ? 'setting membind' : 'setting preferred node';
    if (this.area) {
      if (name === 'preferred' || name === 'preferred-many') {
        if (this.exact) {
          // numactl 2.0.16 hands libnuma an unset node here: an empty mask under its default
          // non-strict mode (preferred-many where the kernel has it), and no policy recorded.
          const many = kernelSupportProblem(mempolicy('preferred_many', [0])) === undefined;
          bindArea(this.area, many ? MPOL_PREFERRED_MANY : MPOL_PREFERRED, [], this.strict, what, this.r);
          return;
        }
        this.setpolicy(kernelMode, name);
        this.bindShm(name === 'preferred' ? 'preferred' : 'preferred_many', nodes, what);
        return;
      }
      if (name !== 'membind') this.setpolicy(kernelMode, name);
      this.bindShm(POLICY_MODES[name]!, nodes, what);
      return;
    }
    if (name === 'preferred' && nodes.length !== 1) {
      this.usage(undefined, `--preferred takes one node, not '${value}': use --preferred-many for several`);
    }
    if (name !== 'membind') this.setpolicy(kernelMode, name);
    if (!this.exact) return this.plan(name, nodes);
    if (name === 'interleave') selfInterleave(nodes, this.r);
    else if (name === 'membind') selfMembind(nodes, this.balancing, this.r);
    else if (name === 'preferred') selfPreferred(nodes[0]!, this.r);
    else selfPreferredMany(nodes, this.r);
  }

  private bindShm(mode: MempolicyMode, nodes: readonly number[], what: string): void {
    const k = this.exact ? { mode: kernelModeOf(mode), nodes } : toKernelMode(checkPolicy(mempolicy(mode, nodes)));
    bindArea(this.area!, k.mode, k.nodes, this.strict, what, this.r);
  }

  private plan(option: string, nodes: readonly number[]): void {
    this.plannedMode = { option, nodes };
  }

  private binding(name: string, value: string): void {
    if (this.shmOption !== undefined) this.usage(`${this.shmOption} shm option is not allowed before ${CPUBIND_NAMES[name]}`);
    const physical = name === 'physcpubind';
    const set = physical ? this.cpus(value) : this.nodes(value);
    if (!physical) this.mask = set;
    this.didCpubind = true;
    this.didNodeCpuParse = true;
    if (!this.exact) {
      this.plannedCpus = physical ? { cpus: set } : { cpuNodes: set };
      return;
    }
    if (physical) selfRunOnCpus(set, this.r);
    else selfRunOnNodes(set, this.setup.view, this.r);
  }

  private attach(name: string, value: string): ShmArea {
    const s = { length: this.length, offset: this.offset, mode: this.mode, huge: this.huge, projId: this.projId };
    return name === 'shm' ? attachSysv(value, s, '--shm', this.setup.io, this.r) : attachFile(value, s, '--file', this.r);
  }

  private verify(): void {
    const a = this.needshm('--verify');
    if (this.policySet < 0) this.r.fail({ kind: 'complain', message: 'Need a policy first to verify' });
    checkBeyond(a, '--verify', this.r);
    touch(a);
    if (this.mask === undefined) this.r.fail({ kind: 'complain', message: 'Need a mask to verify' });
    const v = verifyText(a, this.policySet, this.mask, this.setup.view.nodemaskBits);
    this.setup.io.stdout(v.text);
    if (v.bad) this.exitStatus = 1;
  }

  /** numapol dialect: the gathered policy and binding as one RunSpec, checked. */
  private runSpec(): RunSpec {
    const target = { ignoreCpuset: this.parseAll };
    const m = this.plannedMode;
    let policy: Mempolicy | undefined;
    if (this.plannedSpec !== undefined) policy = userPolicy(this.plannedSpec, target);
    else if (m?.option === 'localalloc') policy = mempolicy('local');
    else if (m !== undefined) policy = checkPolicy(mempolicy(POLICY_MODES[m.option]!, m.nodes));
    if (this.balancing) {
      if (!(m?.option === 'membind' || m?.option === 'preferred-many' || this.plannedSpec !== undefined)) {
        throw new UsageError('run: --balancing goes with --membind or --preferred-many');
      }
      if (policy && !policy.flags.balancing) policy = { ...policy, flags: { ...policy.flags, balancing: true } };
    }
    return { ...(policy ? { policy } : {}), ...this.plannedCpus };
  }

  private show(): EngineEnd {
    if (!this.exact) applyRunSpec(this.runSpec());
    const s = showText(this.setup.view);
    if (s.stderr) this.setup.io.stderr(s.stderr);
    this.setup.io.stdout(s.stdout);
    return { kind: 'exit', status: 0 };
  }

  private finish(rest: readonly string[]): EngineEnd {
    if (this.area) {
      if (rest.length > 0) this.usage(undefined, `no program runs with --shm/--file: '${rest[0]}' is left over`);
      return { kind: 'exit', status: this.exitStatus };
    }
    if (this.didStrict) this.setup.io.stderr('numactl: warning. Strict flag for process ignored.\n');
    if (this.shmOption !== undefined) this.usage(`shm related option ${this.shmOption} for process`);
    if (!this.exact) return { kind: 'run', spec: this.runSpec(), argv: rest };
    if (rest.length === 0) this.usage();
    return { kind: 'exec', argv: rest };
  }
}

function kernelModeOf(mode: MempolicyMode): number {
  return { interleave: MPOL_INTERLEAVE, bind: MPOL_BIND, local: MPOL_LOCAL, preferred: MPOL_PREFERRED, preferred_many: MPOL_PREFERRED_MANY }[mode as string] ?? 0;
}

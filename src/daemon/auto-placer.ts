/**
 * Automatic placement for the processes of `place: auto` rules: every `auto.interval` it measures
 * them (pages and CPU use per node), lets the placement engine score their candidate node sets
 * and decide (placement/decide.ts: threshold, cooldown, max-moves, capacity, hysteresis), and
 * asks the daemon to move the chosen ones, CPUs and memory together. The last pass is kept for
 * `numapol plan`, with every candidate's score and reasons.
 */
import { formatCpuList, formatNodeList, processCpuset } from '../ops/index.js';
import { adviseNodes, decide, forgetGone, newPlacementState, PlacementSampler, placementKey, recordMove, type Advice, type AdmissionRequest, type Decision, type PlacementPass, type PlacementSnapshot, type PlacementState, type ProcessSample } from './placement/index.js';

export interface AutoSettings {
  readonly intervalMs: number;
  readonly cooldownMs: number;
  readonly maxMoves: number;
  readonly threshold: number;
}

export interface AutoCandidate {
  readonly pid: number;
  readonly start: number;
  readonly rule: string;
  /** The rule is in advise mode: its decision is shown by `numapol plan`, never made. */
  readonly advise: boolean;
}

export interface AutoHooks {
  /** The processes to place now (managed by a `place: auto` rule). */
  candidates(): AutoCandidate[];
  /** Moves one process; resolves when done (its outcome is journaled by the daemon). */
  place(c: AutoCandidate, nodes: string, cpus: string | undefined, reason: string): Promise<boolean>;
  /** A pass was decided (for `/events`). */
  decided(pass: AutoPass): void;
  readonly root?: string;
}

export interface AutoPass {
  readonly time: string;
  readonly measured: boolean;
  readonly threshold: number;
  readonly balancing: PlacementSnapshot['balancing'];
  readonly decisions: readonly Decision[];
  /** What the pass decided to move: made in enforce mode, only shown (`advised`) in advise mode. */
  readonly moves: readonly AutoMove[];
}

/** `GET /v1/placement`: the last pass, or before the first an empty one whose time is null. */
export type PlacementView = AutoPass | { readonly time: null; readonly measured: false; readonly threshold: null; readonly balancing: null; readonly decisions: readonly []; readonly moves: readonly [] };

const NO_PASS: PlacementView = { time: null, measured: false, threshold: null, balancing: null, decisions: [], moves: [] };

export interface AutoMove {
  readonly pid: number;
  readonly comm: string;
  readonly rule: string;
  readonly nodes: readonly number[];
  readonly cpus: string | null;
  readonly reason: string;
  readonly state: 'moved' | 'failed' | 'advised';
}

export class AutoPlacer {
  private readonly sampler: PlacementSampler;
  private readonly state: PlacementState = newPlacementState();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AutoPass | undefined> | undefined;
  private last: AutoPass | undefined;
  /** Processes whose CPUs the daemon chose (admission or a move): their affinity is its own, not a constraint. */
  private readonly ours = new Set<string>();

  constructor(
    private settings: AutoSettings,
    private readonly hooks: AutoHooks,
  ) {
    this.sampler = new PlacementSampler(hooks.root === undefined ? {} : { root: hooks.root });
  }

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.pass(), this.settings.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  configure(s: AutoSettings): void {
    const restart = this.timer !== undefined && s.intervalMs !== this.settings.intervalMs;
    this.settings = s;
    if (restart) this.start();
  }

  /**
   * `numad -w`: the nodes a new job of `cpus` CPUs and `memBytes` should get, with the reasons;
   * with `pid`, inside that process's cpuset nodes and its threads' affinity (one look at the
   * machine serves both).
   */
  advise(req: AdmissionRequest, pid?: number): Advice {
    const machine = this.sampler.sample([]).machine;
    if (pid === undefined) return adviseNodes(req, machine);
    const cs = processCpuset(pid, { ...(this.hooks.root === undefined ? {} : { root: this.hooks.root }), onlineCpus: machine.nodes.flatMap((n) => n.cpus) });
    return adviseNodes(req, machine, { cpuset: { mems: cs.mems, cpus: cs.affinity } });
  }

  /** The daemon set this process's CPUs itself (admission at exec). */
  placed(pid: number, start: number): void {
    this.ours.add(placementKey(pid, start));
  }

  private pinned(p: ProcessSample): ProcessSample {
    return this.ours.has(placementKey(p.pid, p.start)) ? p : keepPin(p);
  }

  lastPass(): PlacementView {
    return this.last ?? NO_PASS;
  }

  /** One pass: measure, decide, move. A pass still running is not started twice. */
  pass(): Promise<AutoPass | undefined> {
    return (this.running ??= this.run().finally(() => (this.running = undefined)));
  }

  private async run(): Promise<AutoPass | undefined> {
    const cands = this.hooks.candidates();
    const byPid = new Map(cands.map((c) => [c.pid, c] as const));
    const alive = new Set(cands.map((c) => placementKey(c.pid, c.start)));
    forgetGone(this.state, alive);
    for (const k of [...this.ours]) if (!alive.has(k)) this.ours.delete(k);
    if (cands.length === 0) return undefined;
    const snap = this.sampler.sample(cands.map((c) => c.pid));
    // The first look has no CPU use yet (it is a difference): decide only from the second on.
    const samples = snap.measured ? snap.processes.filter((p) => byPid.get(p.pid)?.start === p.start).map((p) => this.pinned(p)) : [];
    const now = Date.now();
    const pass: PlacementPass = decide(samples, snap.machine, { threshold: this.settings.threshold, maxMoves: this.settings.maxMoves, cooldownMs: this.settings.cooldownMs }, this.state, now);
    const moves: AutoMove[] = [];
    for (const d of pass.moves) {
      const c = byPid.get(d.pid);
      if (c === undefined || d.best === null) continue;
      const nodes = formatNodeList(d.best.nodes);
      const cpus = d.best.cpus.length > 0 ? formatCpuList(d.best.cpus) : undefined;
      const move = { pid: d.pid, comm: d.comm, rule: c.rule, nodes: d.best.nodes, cpus: cpus ?? null, reason: d.reason };
      if (c.advise) {
        moves.push({ ...move, state: 'advised' });
        continue;
      }
      // The cooldown starts whatever the outcome: a move that failed is not retried every pass.
      recordMove(this.state, d.pid, d.start, now);
      this.ours.add(placementKey(d.pid, d.start));
      const ok = await this.hooks.place(c, nodes, cpus, d.reason);
      moves.push({ ...move, state: ok ? 'moved' : 'failed' });
    }
    const out: AutoPass = { time: snap.time, measured: snap.measured, threshold: pass.threshold, balancing: snap.balancing, decisions: pass.decisions, moves };
    this.last = out;
    this.hooks.decided(out);
    return out;
  }
}

/**
 * A process pinned narrower than its cpuset by someone else (`numactl --cpunodebind=2`, taskset,
 * a batch scheduler) keeps its CPUs: placement chooses where its memory goes, and its CPUs only
 * among those. (The caller skips this for pins the daemon made itself: they bind nothing.)
 */
export function keepPin(p: ProcessSample): ProcessSample {
  if (p.affinity === undefined) return p;
  const allowed = new Set(p.affinity);
  const cpus = p.cpuset.cpus.filter((c) => allowed.has(c));
  if (cpus.length === 0 || cpus.length === p.cpuset.cpus.length) return p;
  return { ...p, cpuset: { ...p.cpuset, cpus } };
}

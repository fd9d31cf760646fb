/**
 * One placement pass: for each `place: auto` process, where it is, where it could go, and whether
 * to move it now, with the reason either way.
 *
 * Rules, in order (the first that applies is the answer):
 *   measuring        first look: CPU use needs two samples
 *   too-small        under minBytes of memory or minCpu of CPU (numad: 300 MB, 0.5 CPU)
 *   interleaved      keepInterleaved and its task policy interleaves (numad -K)
 *   already-local    at least localityToSkip of its memory is on the nodes it runs on
 *   cooldown         moved less than cooldownMs ago
 *   no-room          no candidate holds all its memory
 *   no-better        no candidate scores above where it is
 *   below-threshold  the best gain is under threshold
 *   max-moves        maxMoves moves were already chosen this pass
 *   move             the best candidate, gain ≥ threshold
 *
 * The threshold is never below the hysteresis floor (hysteresisFloor): the most a moved process's
 * score can change while it stays put, so a move is never worth undoing on the next pass.
 *
 * Moves are chosen greedily, largest gain first. Each chosen move takes its room (the free memory
 * and idle CPU it is planned to use) out of what the pass can still hand out, and every process
 * still waiting is scored again against what is left: two processes are never promised the same
 * room. Nothing is credited back to the nodes a process leaves until a later pass measures it.
 * Once the pass has made its moves, the processes left waiting (and those a rule kept out) are
 * scored only when their decision is read.
 */
import { bestCandidate, scoredCandidates } from './candidates.js';
import { copyCapacity, indexMachine, initialCapacity, viewProcess, type Capacity, type MachineIndex, type ProcessView } from './context.js';
import { DEFAULT_WEIGHTS, type Placement, type PlacementMachine, type ProcessSample, type ScoreWeights } from './model.js';
import { present, presentCurrent, scoreNow, type Scored } from './score.js';
import { bytesText, cpusText, nodesText, percentText } from './text.js';

export interface DecideOptions {
  /** Smallest score gain (0..1) worth a move, at least hysteresisFloor(). Default 0.1 (the config's auto.threshold). */
  readonly threshold?: number;
  /** Moves per pass at most. Default 1 (auto.max-moves; numad moves one). */
  readonly maxMoves?: number;
  /** A moved process is left alone this long. Default 300,000 ms (auto.cooldown; numad's 300 s). */
  readonly cooldownMs?: number;
  /** A process with at least this share of its memory local is not moved. Default 0.9 (numad -m 90). */
  readonly localityToSkip?: number;
  /** Smaller processes are not moved. Default 64 MiB (numad: 300 MB). */
  readonly minBytes?: number;
  /** Processes using less CPU (cores) are not moved. Default 0.1 (numad: 0.5). */
  readonly minCpu?: number;
  /** Leave processes whose task policy interleaves alone (numad -K). Default false. */
  readonly keepInterleaved?: boolean;
  /** Headroom counts CPU against use / targetUtilization (numad -u 85). Default 0.85. */
  readonly targetUtilization?: number;
  readonly weights?: ScoreWeights;
}

export const DECIDE_DEFAULTS = Object.freeze({
  threshold: 0.1,
  maxMoves: 1,
  cooldownMs: 300_000,
  localityToSkip: 0.9,
  minBytes: 64 * 1024 * 1024,
  minCpu: 0.1,
  keepInterleaved: false,
  targetUtilization: 0.85,
  weights: DEFAULT_WEIGHTS,
});

export type ResolvedDecideOptions = Required<DecideOptions>;

/**
 * The smallest threshold that keeps moves from being undone. Once a process has moved, its
 * memory, CPU (it keeps what it uses), distance and locality parts no longer depend on the others;
 * only headroom does, all of it as other processes come and go. 0.05 with the default weights.
 */
export function hysteresisFloor(weights: ScoreWeights): number {
  const sum = weights.memory + weights.speed + weights.locality + weights.headroom;
  return Math.ceil((weights.headroom / sum) * 100 - 1e-9) / 100;
}

export function resolveDecideOptions(o: DecideOptions = {}): ResolvedDecideOptions {
  return {
    threshold: o.threshold ?? DECIDE_DEFAULTS.threshold,
    maxMoves: o.maxMoves ?? DECIDE_DEFAULTS.maxMoves,
    cooldownMs: o.cooldownMs ?? DECIDE_DEFAULTS.cooldownMs,
    localityToSkip: o.localityToSkip ?? DECIDE_DEFAULTS.localityToSkip,
    minBytes: o.minBytes ?? DECIDE_DEFAULTS.minBytes,
    minCpu: o.minCpu ?? DECIDE_DEFAULTS.minCpu,
    keepInterleaved: o.keepInterleaved ?? DECIDE_DEFAULTS.keepInterleaved,
    targetUtilization: o.targetUtilization ?? DECIDE_DEFAULTS.targetUtilization,
    weights: o.weights ?? DECIDE_DEFAULTS.weights,
  };
}

/** When each process was last moved: the daemon records a move once it is made. */
export interface PlacementState {
  /** placementKey(pid, start) → time of the move (ms, the same clock as decide's `now`). */
  readonly lastMove: Map<string, number>;
}

export function newPlacementState(): PlacementState {
  return { lastMove: new Map() };
}

export function placementKey(pid: number, start: number): string {
  return `${pid}:${start}`;
}

export function recordMove(state: PlacementState, pid: number, start: number, now: number): void {
  state.lastMove.set(placementKey(pid, start), now);
}

/** Drops the entries of processes that are gone (those not in `alive`, by placementKey). */
export function forgetGone(state: PlacementState, alive: Iterable<string>): void {
  const keep = new Set(alive);
  for (const k of [...state.lastMove.keys()]) if (!keep.has(k)) state.lastMove.delete(k);
}

export type DecisionWhy =
  | 'move'
  | 'measuring'
  | 'too-small'
  | 'interleaved'
  | 'already-local'
  | 'cooldown'
  | 'no-room'
  | 'no-better'
  | 'below-threshold'
  | 'max-moves';

/**
 * What a pass decided for one process. The pass returns objects whose words and candidate lists
 * are made when first read: read the fields, or JSON.stringify them (or toJSON) for plain data.
 */
export interface Decision {
  readonly pid: number;
  readonly start: number;
  readonly comm: string;
  readonly act: boolean;
  readonly why: DecisionWhy;
  /** One line: what is done or why not. */
  readonly reason: string;
  /** Share of its memory on the nodes it runs on. */
  readonly localRatio: number;
  readonly current: Placement;
  /** The best candidate that holds all its memory; null when none does. */
  readonly best: Placement | null;
  /** Every candidate, best first. */
  readonly candidates: readonly Placement[];
  /** best.score - current.score (0 without a best). */
  readonly gain: number;
}

export interface PlacementPass {
  /** The gain a move needed: the threshold asked for, or the hysteresis floor if that is higher. */
  readonly threshold: number;
  /** One per process given, in the order given. */
  readonly decisions: readonly Decision[];
  /** The decisions that act, in the order chosen (largest gain first). */
  readonly moves: readonly Decision[];
  /** Free memory and idle CPU per node once the moves' room is taken. */
  readonly left: Readonly<Record<number, { readonly freeBytes: number; readonly idleCpus: number }>>;
}

/** A process scored against one state of the pass's capacity (kept, so its candidates can be listed later). */
interface Evaluated {
  readonly current: Scored;
  readonly best: Scored | null;
  readonly gain: number;
  readonly cap: Capacity;
}

/**
 * Decides one pass. Pure: `state` is read, not changed (record the moves that were made with
 * recordMove). `now` is in the same clock as the state's times.
 */
export function decide(processes: readonly ProcessSample[], machine: PlacementMachine, options: DecideOptions, state: PlacementState, now: number): PlacementPass {
  const o = resolveDecideOptions(options);
  const threshold = Math.max(o.threshold, hysteresisFloor(o.weights));
  const ix = indexMachine(machine);
  // Never changed in place: each move makes a new one, so every evaluation keeps the capacity it saw.
  let cap = initialCapacity(machine, ix);
  const views = processes.map((p) => viewProcess(p, ix, o.targetUtilization));
  const gate = views.map((v) => gateOf(v, o, state, now));

  const chosen: { index: number; ev: Evaluated }[] = [];
  let waiting = views.map((_, i) => i).filter((i) => gate[i] === undefined);
  // Evaluations against the pass's last capacity; the others are made when a decision is read.
  let last = new Map<number, Evaluated>();
  while (chosen.length < o.maxMoves) {
    last = new Map();
    let pick = -1;
    let pickEv: Evaluated | undefined;
    for (const i of waiting) {
      const ev = evaluate(views[i]!, ix, cap, o.weights);
      last.set(i, ev);
      if (ev.best === null || ev.gain < threshold) continue;
      if (pickEv === undefined || better(ev, views[i]!, pickEv, views[pick]!)) {
        pick = i;
        pickEv = ev;
      }
    }
    if (pickEv === undefined) break;
    chosen.push({ index: pick, ev: pickEv });
    cap = take(cap, views[pick]!, pickEv.best!);
    waiting = waiting.filter((i) => i !== pick);
    // What was measured against the capacity before this move no longer holds.
    last = new Map();
  }

  const acting = new Map(chosen.map((c) => [c.index, c.ev] as const));
  const final = cap;
  const decisions = views.map((v, i): Decision => {
    const g = gate[i];
    const known = acting.get(i) ?? last.get(i);
    return new PassDecision({
      v,
      ix,
      weights: o.weights,
      threshold,
      act: acting.has(i),
      gate: g,
      evaluated: known,
      evaluate: () => evaluate(v, ix, final, o.weights),
    });
  });
  const moves = chosen.map((c) => decisions[c.index]!);
  const left: Record<number, { freeBytes: number; idleCpus: number }> = {};
  ix.ids.forEach((id, i) => (left[id] = { freeBytes: cap.freeBytes[i]!, idleCpus: cap.idleCpus[i]! }));
  return { threshold, decisions, moves, left };
}

interface DecisionSource {
  readonly v: ProcessView;
  readonly ix: MachineIndex;
  readonly weights: ScoreWeights;
  readonly threshold: number;
  readonly act: boolean;
  /** The rule that kept it out of the pass, if one did. */
  readonly gate: { why: DecisionWhy; reason: string } | undefined;
  /** Its evaluation against the pass's last capacity, when the pass made it… */
  readonly evaluated: Evaluated | undefined;
  /** …else how to make it. */
  readonly evaluate: () => Evaluated;
}

/**
 * A decision made lazily where it can be: a process kept out by a rule, or left waiting once the
 * pass has made its moves, is scored (and every decision put into words, its candidates listed)
 * only when read. The daemon's loop reads the moves; `plan` and the API read everything, through
 * JSON.stringify (toJSON gives the plain object).
 */
class PassDecision implements Decision {
  readonly pid: number;
  readonly start: number;
  readonly comm: string;
  readonly act: boolean;
  readonly localRatio: number;
  readonly #src: DecisionSource;
  #ev: Evaluated | undefined;
  #words: { current: Placement; best: Placement | null; reason: string } | undefined;
  #candidates: Placement[] | undefined;

  constructor(src: DecisionSource) {
    this.pid = src.v.sample.pid;
    this.start = src.v.sample.start;
    this.comm = src.v.sample.comm;
    this.act = src.act;
    this.localRatio = src.v.localRatio;
    this.#src = src;
    this.#ev = src.evaluated;
  }

  get why(): DecisionWhy {
    const { gate, threshold } = this.#src;
    return gate?.why ?? (this.act ? 'move' : whyNot(this.ev(), threshold));
  }

  get gain(): number {
    return this.ev().gain;
  }

  get reason(): string {
    return this.words().reason;
  }

  get current(): Placement {
    return this.words().current;
  }

  get best(): Placement | null {
    return this.words().best;
  }

  get candidates(): readonly Placement[] {
    if (this.#candidates === undefined) {
      const { v, ix, weights } = this.#src;
      const ev = this.ev();
      this.#candidates = scoredCandidates(v, ix, ev.cap, weights).map((c, k) => (k === 0 && ev.best !== null ? this.best! : present(v, c, ix)));
    }
    return this.#candidates;
  }

  toJSON(): Decision {
    const { pid, start, comm, act, why, reason, localRatio, current, best, candidates, gain } = this;
    return { pid, start, comm, act, why, reason, localRatio, current, best, candidates, gain };
  }

  private ev(): Evaluated {
    return (this.#ev ??= this.#src.evaluate());
  }

  private words(): { current: Placement; best: Placement | null; reason: string } {
    if (this.#words === undefined) {
      const { v, ix, threshold, gate } = this.#src;
      const ev = this.ev();
      const current = presentCurrent(v, ev.current, ix);
      const best = ev.best === null ? null : present(v, ev.best, ix);
      const reason = gate?.reason ?? (this.act ? moveReason(current, best!, ev.gain, threshold) : verdict(this.why, current, best, ev.gain, v, threshold));
      this.#words = { current, best, reason };
    }
    return this.#words;
  }
}

/** Scores a process against what the pass can still hand out. */
function evaluate(v: ProcessView, ix: MachineIndex, cap: Capacity, w: ScoreWeights): Evaluated {
  const current = scoreNow(v, ix, cap, w);
  const top = bestCandidate(v, ix, cap, w);
  const best = top?.fits === true ? top : null;
  return { current, best, gain: best === null ? 0 : best.score - current.score, cap };
}

/** Larger gain first; on a tie the larger process (more to win), then the lower pid. */
function better(a: Evaluated, av: ProcessView, b: Evaluated, bv: ProcessView): boolean {
  if (a.gain !== b.gain) return a.gain > b.gain;
  if (av.size !== bv.size) return av.size > bv.size;
  return av.sample.pid < bv.sample.pid;
}

/**
 * Takes a chosen move's room out of the pass's capacity: the bytes it adds to each node beyond
 * what it already has there, and the CPU it plans there beyond what it already uses.
 */
function take(from: Capacity, v: ProcessView, to: Scored): Capacity {
  const cap = copyCapacity(from);
  for (let i = 0; i < to.bytes.length; i++) {
    if (to.bytes[i]! > v.here[i]!) cap.freeBytes[i] = Math.max(0, cap.freeBytes[i]! - (to.bytes[i]! - v.here[i]!));
    if (to.cpu[i]! > v.own[i]!) cap.idleCpus[i] = Math.max(0, cap.idleCpus[i]! - (to.cpu[i]! - v.own[i]!));
  }
  return cap;
}

function gateOf(v: ProcessView, o: ResolvedDecideOptions, state: PlacementState, now: number): { why: DecisionWhy; reason: string } | undefined {
  const p = v.sample;
  if (!p.cpuMeasured) return { why: 'measuring', reason: 'first look: its CPU use needs a second sample' };
  if (v.size < o.minBytes) return { why: 'too-small', reason: `too small: ${bytesText(v.size)} of memory, under ${bytesText(o.minBytes)}` };
  if (v.use < o.minCpu) return { why: 'too-small', reason: `too small: ${cpusText(v.use)} used, under ${cpusText(o.minCpu)}` };
  if (o.keepInterleaved && (p.policy.mode === 'interleave' || p.policy.mode === 'weighted_interleave')) {
    return { why: 'interleaved', reason: `interleaved on purpose (${p.policy.text}): left alone` };
  }
  if (v.localRatio >= o.localityToSkip) {
    return { why: 'already-local', reason: `already local: ${percentText(v.localRatio)} of its memory is on the nodes it runs on (at least ${percentText(o.localityToSkip)})` };
  }
  const moved = state.lastMove.get(placementKey(p.pid, p.start));
  if (moved !== undefined && now - moved < o.cooldownMs) {
    return { why: 'cooldown', reason: `moved ${Math.round((now - moved) / 1000)} s ago: left alone for ${Math.round(o.cooldownMs / 1000)} s` };
  }
  return undefined;
}

function whyNot(ev: Evaluated, threshold: number): DecisionWhy {
  if (ev.best === null) return 'no-room';
  if (ev.gain <= 0) return 'no-better';
  if (ev.gain < threshold) return 'below-threshold';
  return 'max-moves';
}

function verdict(why: DecisionWhy, current: Placement, best: Placement | null, gain: number, v: ProcessView, threshold: number): string {
  if (best === null) return v.cpusAllowed.every((c) => c.length === 0) ? 'no node with CPUs it may use' : `no node set has room for its ${bytesText(v.size)}`;
  const to = `${nodesText(best.nodes)} (score ${best.score.toFixed(2)})`;
  if (why === 'no-better') return `stays: where it is scores ${current.score.toFixed(2)}, the best elsewhere ${to}`;
  if (why === 'below-threshold') return `stays: moving to ${to} would gain ${gain.toFixed(2)}, under the threshold ${threshold.toFixed(2)}`;
  return `waits: moving to ${to} would gain ${gain.toFixed(2)}, but this pass has made its moves`;
}

function moveReason(current: Placement, best: Placement, gain: number, threshold: number): string {
  return `moves to ${nodesText(best.nodes)}: score ${current.score.toFixed(2)} → ${best.score.toFixed(2)} (gain ${gain.toFixed(2)} ≥ ${threshold.toFixed(2)}), ${bytesText(best.bytesToMove)} to move`;
}

/**
 * The batch process manager's core: it sees processes start (the process-events connector, and a
 * /proc rescan every `rescan` for what the connector missed), chooses each one's rule, runs the
 * rule's actions through ops/ and journals every one. It never prints and never exits: the
 * service (server.ts) owns sockets, signals and the process.
 *
 * Actions run in two lanes: one for what stops a process (injected set_mempolicy / mbind, at most
 * `stop-rate` stops a second), one for page moves (one at a time, so `migrate-rate` bounds them
 * all together). The actions of one process run in order: CPUs, policy, VMA policies, pages.
 */
import { EventEmitter } from 'node:events';
import { NumapolError } from '../errors.js';
import { describeAction, stopsProcess, type Action } from './actions/action.js';
import type { Before } from './actions/before.js';
import { runAction, type ActionContext, type ActionRun } from './actions/execute.js';
import { undoAction, type UndoRun } from './actions/undo.js';
import { LaneClosedError, SerialLane } from './lanes/serial-lane.js';
import { TokenBucket } from './lanes/token-bucket.js';
import { silentLogger, type DaemonFacts, type EventStream, type JournalEntry, type JournalOutcome, type JournalPort, type JournalQuery, type JournalSource, type BegunJournalEntry, type Logger, type ProcEvent, type ProcessSource } from './ports.js';
import { chooseRule } from './rules/choose.js';
import { formatCpuList, formatNodeList, shmIdentity } from '../ops/index.js';
import type { CompiledConfig, CompiledRule, Mode, ShmRule } from './rules/compiled.js';
import { ShmKeeper } from './shm-keeper.js';
import { AutoPlacer, type AutoCandidate, type AutoPass, type PlacementView } from './auto-placer.js';
import type { AdmissionRequest, Advice } from './placement/index.js';
import { newTracked, type Tracked } from './watch/tracked.js';

export interface DaemonOptions {
  readonly config: CompiledConfig;
  readonly source: ProcessSource;
  readonly journal: JournalPort;
  readonly log?: Logger;
  readonly root?: string;
  /** numapol's own pid (never touched). */
  readonly self?: number;
  /** Seams for tests: what runs an action and its undo. */
  readonly run?: (pid: number, a: Action, ctx: ActionContext) => Promise<ActionRun>;
  readonly undo?: (pid: number, a: Action, before: Before, ctx: ActionContext) => Promise<UndoRun>;
}

/** What an action is about: a process (pid and start time), or a shared memory object (no pid). */
type Subject = { readonly pid: number; readonly start: number; readonly comm: string | null; readonly cgroup: string | null } | { readonly pid: null; readonly start: null; readonly comm: null; readonly cgroup: string | null };

/** How the daemon came to look at a process. */
export type Seen = 'startup' | 'rescan' | 'exec' | 'fork' | 'comm' | 'recheck' | 'reload';

export interface ProcessView {
  readonly pid: number;
  readonly start: number;
  readonly comm: string;
  readonly cgroup: string | null;
  readonly rule: string | null;
  readonly job: string | null;
  readonly state: Tracked['state'];
  readonly reason?: string;
  readonly actions: readonly { action: string; spec: string; state: JournalOutcome | 'queued' | 'pending' }[];
}

export interface JobView {
  readonly name: string;
  readonly rules: readonly string[];
  readonly members: readonly { pid: number; start: number; comm: string }[];
}

export interface PlanItem {
  readonly pid: number;
  readonly comm: string;
  readonly rule: string;
  readonly mode: Mode;
  readonly action: Action;
  readonly description: string;
  /** pending: would run now (enforce: queued or about to be); advised: advise mode, not run. */
  readonly state: 'pending' | 'queued' | 'advised' | 'failed';
}

export interface DaemonStatus {
  readonly pid: number;
  readonly startedAt: string;
  readonly mode: Mode;
  readonly rules: number;
  readonly tracked: number;
  readonly managed: number;
  readonly connector: 'on' | 'unavailable' | 'off';
  readonly connectorError?: string;
  readonly events: number;
  readonly overruns: number;
  readonly rescans: number;
  readonly lastRescanMs: number;
  readonly queued: { readonly stops: number; readonly pages: number };
}

/** A request from the API: journaled with source 'api', run in the same lanes as rules' actions. */
export interface Request {
  readonly pid: number;
  readonly action: Action;
}

export class Daemon extends EventEmitter {
  private config: CompiledConfig;
  private readonly source: ProcessSource;
  private readonly journal: JournalPort;
  private readonly log: Logger;
  private readonly root: string | undefined;
  private readonly self: number;
  private readonly run: NonNullable<DaemonOptions['run']>;
  private readonly undoRun: NonNullable<DaemonOptions['undo']>;
  private readonly table = new Map<number, Tracked>();
  private readonly stopLane = new SerialLane();
  private readonly pageLane = new SerialLane();
  private stops: TokenBucket;
  private events: EventStream | undefined;
  private connectorError: string | undefined;
  /** The connector overran (or is off): rescans must check every pid's identity. */
  private trustTable = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly shm: ShmKeeper;
  private readonly auto: AutoPlacer;
  private stopping = false;
  private rescans = 0;
  private lastRescanMs = 0;
  readonly startedAt = new Date();

  constructor(o: DaemonOptions) {
    super();
    this.config = o.config;
    this.source = o.source;
    this.journal = o.journal;
    this.log = o.log ?? silentLogger;
    this.root = o.root;
    this.self = o.self ?? process.pid;
    this.run = o.run ?? runAction;
    this.undoRun = o.undo ?? undoAction;
    this.stops = new TokenBucket(o.config.settings.stopRate);
    // Every /events client listens: the default cap of 10 would warn at the eleventh.
    this.setMaxListeners(0);
    this.shm = new ShmKeeper({ apply: (rule, identity) => this.applyShm(rule, identity), ...(o.root === undefined ? {} : { root: o.root }) });
    this.auto = new AutoPlacer(o.config.settings.auto, {
      candidates: () => this.autoCandidates(),
      place: (c, nodes, cpus, reason) => this.autoPlace(c, nodes, cpus, reason),
      decided: (pass) => this.emit('placement', { time: pass.time, measured: pass.measured, moves: pass.moves, decisions: pass.decisions.length, pids: pass.decisions.map((d) => d.pid) }),
      ...(o.root === undefined ? {} : { root: o.root }),
    });
  }

  // ---- life cycle -------------------------------------------------------------------------

  /** Opens the connector (or carries on with rescans only), looks at every process, starts the rescan timer. */
  start(): void {
    try {
      this.events = this.source.watch(
        (evs) => this.onEvents(evs),
        () => this.onOverrun(),
      );
      this.trustTable = true;
    } catch (e) {
      this.connectorError = e instanceof Error ? e.message : String(e);
      this.log.warn({ err: this.connectorError }, 'process-events connector unavailable: relying on /proc rescans');
    }
    this.rescan('startup');
    this.shm.setRules(this.config.shmRules);
    this.auto.start();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.rescan('rescan'), this.config.settings.rescanMs);
    // The service's listeners keep the process alive, not the rescan timer.
    this.timer.unref();
  }

  /** New rules: every process is looked at again; actions whose spec is unchanged do not run twice. */
  reload(config: CompiledConfig): void {
    const rescanChanged = config.settings.rescanMs !== this.config.settings.rescanMs;
    if (config.settings.stopRate !== this.config.settings.stopRate) this.stops = new TokenBucket(config.settings.stopRate);
    this.config = config;
    if (rescanChanged && this.timer) this.schedule();
    for (const pid of [...this.table.keys()]) this.evaluate(pid, 'reload');
    this.rescan('rescan');
    this.shm.setRules(config.shmRules);
    this.auto.configure(config.settings.auto);
    this.emit('reload', { rules: config.rules.length });
  }

  /**
   * Stops watching, lets the action in flight finish (queued ones are dropped), and with
   * `restore-on-exit` undoes the daemon's own actions on processes still running.
   */
  async stop(): Promise<{ restored: number }> {
    if (this.stopping) return { restored: 0 };
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.events?.close();
    this.shm.close();
    this.auto.stop();
    await Promise.all([this.stopLane.close(), this.pageLane.close()]);
    let restored = 0;
    if (this.config.settings.restoreOnExit) restored = await this.restoreAll();
    return { restored };
  }

  private async restoreAll(): Promise<number> {
    let n = 0;
    const own = this.journal.list({ limit: 1_000_000 }).filter((e) => (e.source === 'rule' || e.source === 'api') && (e.outcome === 'ok' || e.outcome === 'partial') && e.undoneBy === null);
    for (const e of own) {
      if (e.pid === null || e.start === null || this.source.start(e.pid) !== e.start) continue;
      try {
        await this.undoEntry(e, 'shutdown', true);
        n++;
      } catch (err) {
        this.log.warn({ id: e.id, err: String(err) }, 'could not restore on exit');
      }
    }
    return n;
  }

  // ---- seeing processes -------------------------------------------------------------------

  private onEvents(evs: readonly ProcEvent[]): void {
    for (const ev of evs) {
      // Events come in batches, after the fact: /proc may already show what a later event says
      // (a fork handled after the child exec'd). What was read after an event reflects it.
      const t = this.table.get(ev.pid);
      const known = t !== undefined && t.seenNs > ev.ns;
      switch (ev.kind) {
        case 'fork':
          // A new thread of an existing process is not a new process.
          if (ev.pid !== ev.parentPid && ev.pid === ev.tid && t === undefined) this.onFork(ev.pid, ev.parentPid);
          break;
        case 'exec':
          if (known) break;
          // A new program: its VMA policies are gone, and another rule may match it.
          this.table.delete(ev.pid);
          this.evaluate(ev.pid, 'exec');
          break;
        case 'comm':
          if (ev.pid === ev.tid && !known && (t === undefined || t.comm !== ev.comm)) this.evaluate(ev.pid, 'comm');
          break;
        case 'exit':
          if (ev.pid === ev.tid) this.onExit(ev.pid);
          break;
      }
    }
  }

  /**
   * A fork copies the parent's task policy, CPU affinity and VMA policies, and shares its pages:
   * the child of a managed process already has what its rule gives, so nothing runs for it
   * (until it execs or changes its name).
   */
  private onFork(pid: number, parent: number): void {
    const p = this.table.get(parent);
    const start = this.source.start(pid);
    if (start === undefined) return;
    if (p === undefined || p.state === 'untouchable') {
      this.evaluate(pid, 'fork');
      return;
    }
    const t = newTracked(pid, start, p.comm, p.cgroup);
    t.rule = p.rule;
    t.job = p.job;
    t.state = p.state;
    t.recheck = p.recheck;
    for (const [spec, outcome] of p.done) t.done.set(spec, outcome);
    this.table.set(pid, t);
  }

  private onExit(pid: number): void {
    const t = this.table.get(pid);
    // The leader may exit before its other threads: the process is gone when its stat is.
    if (t === undefined || this.source.start(pid) === t.start) return;
    this.table.delete(pid);
    if (t.state === 'managed') this.emit('process', { event: 'exit', pid, comm: t.comm, rule: t.rule });
  }

  private onOverrun(): void {
    this.log.warn({}, 'process-events connector overran: events were lost; rescanning /proc');
    this.emit('overrun');
    this.trustTable = false;
    this.rescan('rescan');
  }

  /** Looks at every process: new ones, reused pids, ones that exited unseen, and ones to recheck. */
  rescan(how: 'startup' | 'rescan'): number {
    if (this.stopping) return 0;
    const t0 = performance.now();
    const trust = this.trustTable;
    // Events from now on keep the table right again, unless another overrun comes.
    this.trustTable = this.events !== undefined;
    const pids = this.source.pids();
    const live = new Set(pids);
    for (const pid of this.table.keys()) if (!live.has(pid)) this.table.delete(pid);
    let examined = 0;
    for (const pid of pids) {
      const t = this.table.get(pid);
      if (t === undefined) {
        examined++;
        this.evaluate(pid, how);
      } else if (!trust && this.source.start(pid) !== t.start) {
        examined++;
        this.table.delete(pid);
        this.evaluate(pid, how);
      } else if (t.recheck) {
        examined++;
        this.evaluate(pid, 'recheck');
      }
    }
    this.rescans++;
    this.lastRescanMs = performance.now() - t0;
    void this.shm.sync();
    this.emit('rescan', { ms: this.lastRescanMs, processes: pids.length, examined });
    return examined;
  }

  /** Chooses the rule of `pid` and starts what it asks for. */
  private evaluate(pid: number, how: Seen): void {
    if (this.stopping) return;
    const seenNs = process.hrtime.bigint();
    const f = this.facts(pid);
    if (f === undefined) {
      this.table.delete(pid);
      return;
    }
    let t = this.table.get(pid);
    if (t !== undefined && t.start !== f.start) t = undefined;
    if (t === undefined) {
      t = newTracked(pid, f.start, f.comm, f.cgroup);
      this.table.set(pid, t);
    }
    t.comm = f.comm;
    t.cgroup = f.cgroup;
    t.seenNs = seenNs;
    const c = chooseRule(this.config.rules, f, this.self);
    const before = t.rule;
    switch (c.kind) {
      case 'untouchable':
        t.state = 'untouchable';
        t.reason = c.reason;
        t.rule = null;
        t.job = null;
        t.recheck = false;
        return;
      case 'none':
        t.state = 'unmatched';
        t.rule = null;
        t.job = null;
        t.recheck = c.recheck;
        return;
      case 'excluded':
        t.state = 'excluded';
        t.rule = c.rule.name;
        t.job = null;
        t.recheck = c.recheck;
        if (before !== t.rule) this.emit('rule-match', { rule: c.rule.name, pid, comm: f.comm, excluded: true });
        return;
      case 'rule':
        t.state = 'managed';
        t.rule = c.rule.name;
        t.job = c.rule.job ?? null;
        t.recheck = c.recheck;
        if (before !== t.rule) {
          this.emit('rule-match', { rule: c.rule.name, pid, comm: f.comm, excluded: false });
          this.emit('process', { event: 'start', pid, comm: f.comm, rule: c.rule.name, seen: how });
          this.log.info({ pid, comm: f.comm, rule: c.rule.name, seen: how }, 'rule matches');
        }
        this.startActions(t, c.rule, how === 'startup' || how === 'rescan', how === 'exec');
        return;
    }
  }

  private facts(pid: number): DaemonFacts | undefined {
    try {
      return this.source.facts(pid);
    } catch (e) {
      if (e instanceof NumapolError && (e.code === 'ESRCH' || e.code === 'ENOENT')) return undefined;
      this.log.warn({ pid, err: String(e) }, 'cannot read process facts');
      return undefined;
    }
  }

  /**
   * Queues the rule's actions that this process has not had yet. `unseen`: the process was found
   * by a scan, not by an event, so the daemon may have acted on it before a restart: the journal
   * says whether each action already ran.
   */
  private startActions(t: Tracked, rule: CompiledRule, unseen: boolean, exec = false): void {
    const mode = rule.mode;
    // Admission is for a program starting (numad -w's moment), not one renamed or forked.
    if (rule.place === 'auto' && exec && mode === 'enforce') this.admit(t, rule);
    rule.actions.forEach((action, i) => {
      const spec = rule.specs[i]!;
      if (t.done.has(spec) || t.queued.has(spec)) return;
      if (unseen && this.journal.appliedFor(t.pid, t.start, rule.name, action.kind, spec)) {
        t.done.set(spec, 'ok');
        return;
      }
      if (mode === 'advise') {
        const e = this.journal.record({ ...this.entry(t, rule.name, 'rule', action, spec, 'advise'), outcome: 'advised', result: null, error: null });
        t.done.set(spec, 'advised');
        this.emit('action', e);
        return;
      }
      t.queued.add(spec);
      t.chain = t.chain
        .then(() => this.execute(t, rule.name, 'rule', action, spec))
        .then(
          (e) => {
            t.done.set(spec, e?.outcome ?? 'skipped');
          },
          (err: unknown) => {
            // The journal itself failed (disk full, a bug): say so, and do not retry at every rescan.
            t.done.set(spec, 'failed');
            this.log.error({ pid: t.pid, rule: rule.name, action: describeAction(action), err: err instanceof Error ? err.message : String(err) }, 'action not run');
          },
        )
        .finally(() => t.queued.delete(spec));
    });
  }

  // ---- running actions --------------------------------------------------------------------

  private laneOf(a: Action): SerialLane {
    return a.kind === 'migrate' || a.kind === 'place' || a.kind === 'job-move' ? this.pageLane : this.stopLane;
  }

  private ctx(): ActionContext {
    return { ...(this.root === undefined ? {} : { root: this.root }), ...(this.config.settings.migrateRate === undefined ? {} : { migrateRate: this.config.settings.migrateRate }) };
  }

  /** Runs one action in its lane and journals it; undefined when the daemon stopped first. */
  private async execute(t: Subject, rule: string | null, source: JournalSource, action: Action, spec: string | null, identity?: string): Promise<JournalEntry | undefined> {
    try {
      return await this.laneOf(action).run(async () => {
        // The identity is checked right before acting (the pid may belong to another process by
        // now), before and after waiting for a stop: a process gone meanwhile costs no stop.
        const same = (): boolean => t.pid === null || this.source.start(t.pid) === t.start;
        if (same() && stopsProcess(action)) await this.stops.take();
        if (!same()) {
          const e = this.journal.record({ ...this.entry(t, rule, source, action, spec, 'enforce'), outcome: 'gone', result: null, error: `pid ${t.pid} is gone` });
          this.emit('action', e);
          return e;
        }
        const begun = this.journal.begin({ ...this.entry(t, rule, source, action, spec, 'enforce'), ...(identity === undefined ? {} : { params: { ...action, identity } }) });
        const t0 = performance.now();
        const r = await this.run(t.pid ?? 0, action, this.ctx());
        const e = this.journal.finish(begun.id, { before: r.before, result: r.result, outcome: r.outcome, error: r.error });
        this.log.info({ id: e.id, pid: t.pid, rule, action: describeAction(action), outcome: r.outcome, ms: Math.round(performance.now() - t0), ...(r.error ? { err: r.error } : {}) }, 'action');
        this.emit('action', e, { ms: performance.now() - t0, result: r.result });
        return e;
      });
    } catch (e) {
      if (e instanceof LaneClosedError) return undefined;
      throw e;
    }
  }

  /** What every entry about `t` says: the outcome, result and error come with record or finish. */
  private entry(t: Subject, rule: string | null, source: JournalSource, action: Action, spec: string | null, mode: Mode): BegunJournalEntry {
    return {
      time: new Date().toISOString(),
      pid: t.pid,
      start: t.start,
      comm: t.comm,
      cgroup: t.cgroup,
      rule,
      source,
      action: action.kind,
      mode,
      params: action,
      before: null,
      spec,
      undoes: null,
    };
  }

  /**
   * A `place: auto` rule's process that has just started gets the nodes admission advises for one
   * busy CPU (its threads to their CPUs, its first pages there); the automatic placement passes
   * refine that once it has grown. Admission chooses inside its cpuset's nodes and its threads'
   * affinity: a process started bound (`numactl --cpunodebind=2`) was placed by someone already.
   */
  private admit(t: Tracked, rule: CompiledRule): void {
    const spec = `admit:${rule.name}`;
    if (t.done.has(spec) || t.queued.has(spec)) return;
    let advice: Advice;
    try {
      advice = this.auto.advise({ cpus: 1, memBytes: 0 }, t.pid);
    } catch (e) {
      this.log.warn({ pid: t.pid, err: String(e) }, 'no admission advice');
      return;
    }
    if (advice.best === null) return;
    const action: Action = { kind: 'place', nodes: formatNodeList(advice.nodes), ...(advice.best.cpus.length > 0 ? { cpus: formatCpuList(advice.best.cpus) } : {}), reason: `admission: ${advice.reason}` };
    t.queued.add(spec);
    this.auto.placed(t.pid, t.start);
    t.chain = t.chain
      .then(() => this.execute(t, rule.name, 'rule', action, spec))
      .then((e) => void t.done.set(spec, e?.outcome ?? 'skipped'), () => void t.done.set(spec, 'failed'))
      .finally(() => t.queued.delete(spec));
  }

  /** Managed processes of `place: auto` rules. */
  private autoCandidates(): AutoCandidate[] {
    const auto = new Map(this.config.rules.filter((r) => r.place === 'auto').map((r) => [r.name, r.mode] as const));
    const out: AutoCandidate[] = [];
    for (const t of this.table.values()) {
      const mode = t.state === 'managed' && t.rule !== null ? auto.get(t.rule) : undefined;
      if (mode !== undefined) out.push({ pid: t.pid, start: t.start, rule: t.rule!, advise: mode === 'advise' });
    }
    return out;
  }

  /** A move automatic placement decided: journaled under its rule, undoable like any action. */
  private async autoPlace(c: AutoCandidate, nodes: string, cpus: string | undefined, reason: string): Promise<boolean> {
    const t = this.table.get(c.pid);
    if (t === undefined || t.start !== c.start) return false;
    const e = await this.execute(t, c.rule, 'rule', { kind: 'place', nodes, ...(cpus === undefined ? {} : { cpus }), reason }, null);
    return e?.outcome === 'ok' || e?.outcome === 'partial';
  }

  /** The last automatic placement pass: every process's candidates with their scores and reasons. */
  placement(): PlacementView {
    return this.auto.lastPass();
  }

  /** Admission (`numapol advise`): the nodes a new job should get, with every candidate's score. */
  advise(req: AdmissionRequest): Advice {
    return this.auto.advise(req);
  }

  /** Runs a placement pass now (tests, `numapol plan --now`). */
  placeNow(): Promise<AutoPass | undefined> {
    return this.auto.pass();
  }

  /** An `shm:` rule on the object now there (identity: see ops shmIdentity). */
  private async applyShm(rule: ShmRule, identity: string): Promise<JournalEntry | undefined> {
    const none = { pid: null, start: null, comm: null, cgroup: null } as const;
    const action = rule.action;
    if (rule.mode === 'advise') {
      const e = this.journal.record({ ...this.entry(none, rule.name, 'file', action, rule.spec, 'advise'), params: { ...action, identity }, outcome: 'advised', result: null, error: null });
      this.emit('action', e);
      return e;
    }
    return this.execute(none, rule.name, 'file', action, rule.spec, identity);
  }

  // ---- requests (API) ---------------------------------------------------------------------

  /** Runs an action asked for through the API, journaled with source 'api'. */
  async request(req: Request): Promise<JournalEntry> {
    if (this.stopping) throw new NumapolError('ESHUTDOWN', 'the daemon is shutting down');
    const f = this.facts(req.pid);
    if (f === undefined) throw new NumapolError('ESRCH', `pid ${req.pid} is gone`, { details: { pid: req.pid } });
    if (f.pid === this.self) throw new NumapolError('EPERM', 'numapol does not act on itself', { usage: true });
    if (f.kernelThread) throw new NumapolError('EPERM', `pid ${req.pid} is a kernel thread`, { usage: true });
    const e = await this.execute({ pid: f.pid, start: f.start, comm: f.comm, cgroup: f.cgroup }, null, 'api', req.action, null);
    if (e === undefined) throw new NumapolError('ESHUTDOWN', 'the daemon is shutting down');
    return e;
  }

  /**
   * `numapol job move NAME --to NODES`: every process of the job (a rule's `job: NAME`), or of
   * the cgroup NAME when it is a path ("/batch/job1"), to the node set `to`, journaled as one
   * entry that `undo` puts back whole. Each member is stopped once (its policies): the stop rate
   * is charged for every member before the move starts.
   */
  async moveJob(req: { job: string; to: string; from?: string }): Promise<JournalEntry> {
    if (this.stopping) throw new NumapolError('ESHUTDOWN', 'the daemon is shutting down');
    const cgroup = req.job.startsWith('/') ? req.job : undefined;
    const jobs = this.jobs();
    const view = jobs.find((j) => j.name === req.job);
    if (view === undefined && cgroup === undefined) {
      const names = jobs.map((j) => j.name);
      throw new NumapolError('ENOENT', `job '${req.job}' does not exist: ${names.length === 0 ? 'no rule has a job: key' : `the jobs are ${names.join(', ')}`} (or name a cgroup by its path, /like/this)`, { usage: true });
    }
    const members = (view?.members ?? []).map((m) => ({ pid: m.pid, start: m.start }));
    if (members.length === 0 && cgroup === undefined) throw new NumapolError('ENOENT', `job '${req.job}' has no process now: nothing to move`, { usage: true });
    const action: Action = { kind: 'job-move', job: req.job, to: req.to, ...(req.from === undefined ? {} : { from: req.from }), ...(cgroup === undefined ? {} : { cgroup }), members };
    const none = { pid: null, start: null, comm: null, cgroup: cgroup ?? null } as const;
    for (let i = 0; i < Math.max(1, members.length); i++) await this.stops.take();
    const e = await this.execute(none, null, 'api', action, null);
    if (e === undefined) throw new NumapolError('ESHUTDOWN', 'the daemon is shutting down');
    return e;
  }

  /** Undoes journal entry `id` if its process is still the same one; returns the undo's entry. */
  async undo(id: number): Promise<JournalEntry> {
    if (this.stopping) throw new NumapolError('ESHUTDOWN', 'the daemon is shutting down');
    const e = this.journal.get(id);
    if (e === undefined) throw new NumapolError('ENOENT', `journal entry ${id} does not exist`, { usage: true });
    return this.undoEntry(e, 'undo', false);
  }

  private async undoEntry(e: JournalEntry, source: JournalSource, closing: boolean): Promise<JournalEntry> {
    if (e.undoes !== null) throw new NumapolError('EINVAL', `entry ${e.id} is itself an undo (of entry ${e.undoes}): run the action again instead`, { usage: true });
    if (e.undoneBy !== null) throw new NumapolError('EALREADY', `entry ${e.id} was undone already, by entry ${e.undoneBy}`, { usage: true });
    if (e.outcome !== 'ok' && e.outcome !== 'partial') {
      throw new NumapolError('EINVAL', `entry ${e.id} changed nothing to undo (outcome ${e.outcome})`, { usage: true });
    }
    if (e.before === null) throw new NumapolError('EINVAL', `entry ${e.id} has no saved state to put back`, { usage: true });
    const action = e.params as Action & { identity?: string };
    let t: Subject;
    if (e.pid !== null && e.start !== null) {
      const now = this.source.start(e.pid);
      if (now === undefined) throw new NumapolError('ESRCH', `pid ${e.pid} is gone: nothing to undo`, { details: { pid: e.pid } });
      if (now !== e.start) throw new NumapolError('ESTALE', `pid ${e.pid} is now another process (entry ${e.id} acted on the one started at tick ${e.start})`, { details: { pid: e.pid } });
      t = { pid: e.pid, start: e.start, comm: e.comm, cgroup: e.cgroup };
    } else if (action.kind === 'job-move') {
      // Each member's identity is checked by the undo itself: a pid that names another process
      // now is left alone and reported.
      t = { pid: null, start: null, comm: null, cgroup: e.cgroup };
    } else if (action.kind === 'shm-policy') {
      // A shared memory object: the same one only if it was not recreated since.
      const now = shmIdentity({ ...(action.file !== undefined ? { file: action.file } : {}), ...(action.shmKey !== undefined ? { shmKey: action.shmKey } : {}), ...(action.shmid !== undefined ? { shmid: action.shmid } : {}) }, this.root === undefined ? {} : { root: this.root });
      if (now === undefined) throw new NumapolError('ENOENT', `the object of entry ${e.id} is gone: nothing to undo`, { usage: true });
      if (action.identity !== undefined && now !== action.identity) throw new NumapolError('ESTALE', `the object of entry ${e.id} was recreated since: its policy is the rule's again, not the one undone`);
      t = { pid: null, start: null, comm: null, cgroup: null };
    } else throw new NumapolError('EINVAL', `entry ${e.id} names no process to undo on`, { usage: true });
    const undo: Action = action;
    const lane = this.laneOf(undo);
    const job = async (): Promise<JournalEntry> => {
      if (stopsProcess(undo)) await this.stops.take();
      const begun = this.journal.begin({ ...this.entry(t, e.rule, source, undo, null, 'enforce'), action: 'undo', params: { undoes: e.id, action }, undoes: e.id });
      const r = await this.undoRun(e.pid ?? 0, action, e.before as Before, this.ctx());
      const done = this.journal.atomically(() => {
        const d = this.journal.finish(begun.id, { result: r.result, outcome: r.outcome, error: r.error });
        if (r.outcome === 'ok' || r.outcome === 'partial') this.journal.markUndone(e.id, d.id);
        return d;
      });
      this.emit('action', done, { result: r.result });
      return done;
    };
    // At shutdown the lanes are closed: the restore runs on its own, nothing else is running.
    return closing ? job() : lane.run(job);
  }

  // ---- views ------------------------------------------------------------------------------

  status(): DaemonStatus {
    let managed = 0;
    for (const t of this.table.values()) if (t.state === 'managed') managed++;
    return {
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      mode: this.config.settings.mode,
      rules: this.config.rules.length + this.config.shmRules.length,
      tracked: this.table.size,
      managed,
      connector: this.events !== undefined ? 'on' : this.connectorError !== undefined ? 'unavailable' : 'off',
      ...(this.connectorError !== undefined ? { connectorError: this.connectorError } : {}),
      events: this.events?.stats.events ?? 0,
      overruns: this.events?.stats.overruns ?? 0,
      rescans: this.rescans,
      lastRescanMs: this.lastRescanMs,
      queued: { stops: this.stopLane.queued, pages: this.pageLane.queued },
    };
  }

  /** Processes a rule matches (managed or excluded); `all` adds the rest. */
  processes(all = false): ProcessView[] {
    const out: ProcessView[] = [];
    for (const t of this.table.values()) {
      if (!all && t.state !== 'managed' && t.state !== 'excluded') continue;
      const rule = this.config.rules.find((r) => r.name === t.rule);
      const actions = (t.state === 'managed' && rule ? rule.actions.map((a, i) => ({ a, spec: rule.specs[i]! })) : []).map(({ a, spec }) => ({
        action: describeAction(a),
        spec,
        state: t.queued.has(spec) ? ('queued' as const) : (t.done.get(spec) ?? ('pending' as const)),
      }));
      out.push({ pid: t.pid, start: t.start, comm: t.comm, cgroup: t.cgroup, rule: t.rule, job: t.job, state: t.state, ...(t.reason ? { reason: t.reason } : {}), actions });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }

  process(pid: number): ProcessView | undefined {
    return this.processes(true).find((p) => p.pid === pid);
  }

  /** The jobs rules make (`job: NAME`): each with the rules that fill it and its processes now. */
  jobs(): JobView[] {
    const jobs = new Map<string, { rules: Set<string>; members: { pid: number; start: number; comm: string }[] }>();
    for (const r of this.config.rules) if (r.job !== undefined && !jobs.has(r.job)) jobs.set(r.job, { rules: new Set(), members: [] });
    for (const r of this.config.rules) if (r.job !== undefined) jobs.get(r.job)!.rules.add(r.name);
    for (const t of this.table.values()) {
      if (t.state !== 'managed' || t.job === null) continue;
      jobs.get(t.job)?.members.push({ pid: t.pid, start: t.start, comm: t.comm });
    }
    return [...jobs].map(([name, j]) => ({ name, rules: [...j.rules], members: j.members.sort((a, b) => a.pid - b.pid) }));
  }

  /** What the daemon would do now and has not done: advised actions, and actions queued or failed. */
  plan(): PlanItem[] {
    const out: PlanItem[] = [];
    for (const t of this.table.values()) {
      if (t.state !== 'managed') continue;
      const rule = this.config.rules.find((r) => r.name === t.rule);
      if (rule === undefined) continue;
      rule.actions.forEach((a, i) => {
        const spec = rule.specs[i]!;
        const done = t.done.get(spec);
        const state = t.queued.has(spec) ? 'queued' : done === undefined ? 'pending' : done === 'advised' ? 'advised' : done === 'failed' ? 'failed' : undefined;
        if (state === undefined) return;
        out.push({ pid: t.pid, comm: t.comm, rule: rule.name, mode: rule.mode, action: a, description: describeAction(a), state });
      });
    }
    return out.sort((a, b) => a.pid - b.pid);
  }

  /** The rules as the file gives them, in the order they are tried. */
  rules(): { name: string; mode?: Mode; rule?: unknown; inactive?: string }[] {
    return [
      ...this.config.rules.map((r) => ({ name: r.name, mode: r.mode, rule: r.source })),
      ...this.config.shmRules.map((r) => ({ name: r.name, mode: r.mode, rule: r.source })),
      ...this.config.inactive.map((r) => ({ name: r.name, inactive: r.reason })),
    ];
  }

  journalEntries(q: JournalQuery = {}): JournalEntry[] {
    return this.journal.list(q);
  }

  journalEntry(id: number): JournalEntry | undefined {
    return this.journal.get(id);
  }

  /** Resolves when every action queued so far has ended (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [...this.table.values()].map((t) => t.chain);
      await Promise.all(chains);
      if ([...this.table.values()].every((t) => t.queued.size === 0)) return;
    }
  }
}

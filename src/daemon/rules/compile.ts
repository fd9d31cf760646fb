/**
 * The loaded configuration as the daemon runs it: each rule's `match` compiled to a predicate,
 * its actions to data in the order they run (CPUs first, so the memory that follows is placed
 * from the right CPUs; then the process policy, VMA policies, and pages last), each with a
 * stable key of what it asks, so that a reload only re-runs what changed.
 */
import { createHash } from 'node:crypto';
import type { Action } from '../actions/action.js';
import type { DaemonConfig, MatchRule, Rule, ShmRule as ShmRuleConfig } from '../config/index.js';
import type { CompiledConfig, CompiledRule, ShmRule } from './compiled.js';
import { changesOverTime, selectorTest, staticSelectors, type Selectors } from './selectors.js';

export function compileConfig(c: DaemonConfig): CompiledConfig {
  const rules: CompiledRule[] = [];
  const shmRules: ShmRule[] = [];
  const inactive: { name: string; reason: string }[] = [];
  for (const r of c.rules) {
    if (r.inactive !== undefined) {
      inactive.push({ name: r.name, reason: r.inactive.reason });
      continue;
    }
    if (r.kind === 'match') rules.push(compileMatchRule(r, c));
    else shmRules.push(compileShmRule(r, c));
  }
  return {
    settings: {
      mode: c.mode,
      rescanMs: c.rescan,
      ...(c.migrateRate === null ? {} : { migrateRate: c.migrateRate }),
      stopRate: c.stopRate,
      restoreOnExit: c.restoreOnExit,
      auto: { intervalMs: c.auto.interval, cooldownMs: c.auto.cooldown, maxMoves: c.auto.maxMoves, threshold: c.auto.threshold },
    },
    rules,
    shmRules,
    inactive,
  };
}

export function selectorsOf(r: MatchRule): Selectors {
  const m = r.match;
  return {
    ...(m.comm !== undefined ? { comm: m.comm } : {}),
    ...(m.exe !== undefined ? { exe: m.exe } : {}),
    ...(m.cmdline !== undefined ? { cmdline: m.cmdline } : {}),
    ...(m.user !== undefined ? { uid: m.user.uid } : {}),
    ...(m.cgroup !== undefined ? { cgroup: m.cgroup } : {}),
    ...(m.minRss !== undefined ? { minRssBytes: m.minRss } : {}),
    ...(m.minThreads !== undefined ? { minThreads: m.minThreads } : {}),
    ...(m.pid !== undefined ? { pids: m.pid } : {}),
  };
}

export function actionsOf(r: MatchRule): Action[] {
  const out: Action[] = [];
  if (r.cpus !== undefined) out.push(r.cpus.nodes !== undefined ? { kind: 'cpus', nodes: r.cpus.nodes.text } : { kind: 'cpus', cpus: r.cpus.cpus.text });
  if (r.policy !== undefined) out.push({ kind: 'policy', policy: r.policy.text });
  for (const v of r.vmas) out.push({ kind: 'vma-policy', vma: v.key, policy: v.policy.text, move: v.move });
  if (r.migrate !== undefined) {
    out.push({ kind: 'migrate', from: r.migrate.from.text, to: r.migrate.to.text, ...(r.migrate.rate === null ? {} : { rateBytesPerSecond: r.migrate.rate }) });
  }
  return out;
}

/** A stable key of what an action asks (its data in canonical form). */
export function actionSpec(a: Action): string {
  return createHash('sha256').update(canonical(a)).digest('hex').slice(0, 16);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function compileMatchRule(r: MatchRule, c: DaemonConfig): CompiledRule {
  const sel = selectorsOf(r);
  const actions = r.exclude ? [] : actionsOf(r);
  return {
    name: r.name,
    mode: r.mode ?? c.mode,
    test: selectorTest(sel),
    staticTest: selectorTest(staticSelectors(sel)),
    dynamic: changesOverTime(sel),
    exclude: r.exclude,
    namesPid1: r.match.pid?.includes(1) ?? false,
    actions,
    specs: actions.map(actionSpec),
    ...(r.job !== undefined ? { job: r.job } : {}),
    ...(r.place !== undefined ? { place: r.place } : {}),
    source: ruleView(r),
  };
}

function compileShmRule(r: ShmRuleConfig, c: DaemonConfig): ShmRule {
  const o = r.shm;
  const action: ShmRule['action'] = {
    kind: 'shm-policy',
    ...(o.file !== undefined ? { file: o.file } : o.key !== undefined ? { shmKey: o.key } : { shmid: o.id }),
    policy: r.policy.text,
  };
  return { name: r.name, mode: r.mode ?? c.mode, action, spec: actionSpec(action), source: ruleView(r) };
}

/** A rule as JSON: texts as written, regular expressions as their source. */
export function ruleView(r: Rule): Record<string, unknown> {
  if (r.kind === 'shm') return { name: r.name, ...(r.mode ? { mode: r.mode } : {}), shm: r.shm, policy: r.policy.text };
  const m = r.match;
  return {
    name: r.name,
    ...(r.mode ? { mode: r.mode } : {}),
    match: {
      ...(m.comm !== undefined ? { comm: m.comm } : {}),
      ...(m.exe !== undefined ? { exe: m.exe } : {}),
      ...(m.cmdline !== undefined ? { cmdline: m.cmdline.source } : {}),
      ...(m.user !== undefined ? { user: m.user.text } : {}),
      ...(m.cgroup !== undefined ? { cgroup: m.cgroup } : {}),
      ...(m.minRss !== undefined ? { 'min-rss': m.minRss } : {}),
      ...(m.minThreads !== undefined ? { 'min-threads': m.minThreads } : {}),
      ...(m.pid !== undefined ? { pid: m.pid } : {}),
    },
    ...(r.exclude ? { exclude: true } : {}),
    ...(r.policy ? { policy: r.policy.text } : {}),
    ...(r.vmas.length > 0 ? { vmas: Object.fromEntries(r.vmas.map((v) => [v.key, { policy: v.policy.text, move: v.move }])) } : {}),
    ...(r.cpus ? { cpus: r.cpus.nodes !== undefined ? { nodes: r.cpus.nodes.text } : { cpus: r.cpus.cpus.text } } : {}),
    ...(r.migrate ? { migrate: { from: r.migrate.from.text, to: r.migrate.to.text, ...(r.migrate.rate === null ? {} : { rate: r.migrate.rate }) } } : {}),
    ...(r.job ? { job: r.job } : {}),
    ...(r.place ? { place: r.place } : {}),
  };
}

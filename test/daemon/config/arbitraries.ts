/**
 * Valid configurations for property tests, each generated as the object a YAML file holds
 * (`raw`, kebab-case, units as text) together with the typed configuration the loader must make
 * of it on the 4-node fixture with helpers.ts's /etc/passwd. The expected values are written
 * here from the reference (docs/config.md), not computed by the code under test.
 */
import fc from 'fast-check';
import type { DaemonConfig, MatchRule, NodeListSpec, PolicySpec, Rule, ShmRule, VmaAction } from '../../../src/daemon/config/index.js';
import type { Mempolicy } from '../../../src/policy/model.js';

export interface Pair<R, T> {
  readonly raw: R;
  readonly typed: T;
}

const MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const BYTES = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** A duration of at least `minMs`, written with a unit or as a number of seconds. */
export function durationArb(minMs: number): fc.Arbitrary<Pair<string | number, number>> {
  return fc
    .oneof(
      fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(...(Object.keys(MS) as (keyof typeof MS)[]))).map(([n, u]) => ({ raw: `${n}${u}`, typed: n * MS[u] })),
      fc.integer({ min: 0, max: 100_000 }).map((n) => ({ raw: n, typed: n * 1000 })),
      fc.integer({ min: 0, max: 9999 }).map((n) => ({ raw: `${Math.floor(n / 10)}.${n % 10}s`, typed: n * 100 })),
    )
    .filter((d) => d.typed >= minMs);
}

export const rateArb: fc.Arbitrary<Pair<string, number>> = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(...(Object.keys(BYTES) as (keyof typeof BYTES)[])))
  .map(([n, u]) => ({ raw: `${n}${u}/s`, typed: n * BYTES[u] }));

export const sizeArb: fc.Arbitrary<Pair<string | number, number>> = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }).map((n) => ({ raw: n, typed: n })),
  fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(...(Object.keys(BYTES) as (keyof typeof BYTES)[]))).map(([n, u]) => ({ raw: `${n}${u}`, typed: n * BYTES[u] })),
  fc.integer({ min: 0, max: 5000 }).map((n) => ({ raw: `${n}k`, typed: n * 1024 })),
);

const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,9}$/);
export const pathArb = fc.array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((s) => s !== '.' && s !== '..'), { minLength: 1, maxLength: 4 }).map((segs) => `/${segs.join('/')}`);
export const nameArb = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);

const policy = (mode: Mempolicy['mode'], nodes: number[], flags: Mempolicy['flags'] = {}, homeNode?: number): Mempolicy => ({
  mode,
  nodes,
  flags,
  ...(homeNode === undefined ? {} : { homeNode }),
});

/** Policies in the forms numapol reads, as they resolve on the 4-node fixture (every node with memory). */
const POLICIES: readonly PolicySpec[] = [
  { text: 'default', policy: policy('default', []), perTarget: false },
  { text: 'local', policy: policy('local', []), perTarget: false },
  { text: 'prefer=1', policy: policy('preferred', [1]), perTarget: false },
  { text: 'preferred=3', policy: policy('preferred', [3]), perTarget: false },
  { text: 'bind=0-1', policy: policy('bind', [0, 1]), perTarget: false },
  { text: 'membind=0,2', policy: policy('bind', [0, 2]), perTarget: false },
  { text: 'interleave=all', policy: policy('interleave', [0, 1, 2, 3]), perTarget: true },
  { text: 'interleave:+0-1', policy: policy('interleave', [0, 1]), perTarget: true },
  { text: 'weighted-interleave=1-3', policy: policy('weighted_interleave', [1, 2, 3]), perTarget: false },
  { text: 'preferred-many=0,2', policy: policy('preferred_many', [0, 2]), perTarget: false },
  { text: 'bind=static:2-3', policy: policy('bind', [2, 3], { remap: 'static' }), perTarget: false },
  { text: 'interleave=!0', policy: policy('interleave', [1, 2, 3]), perTarget: false },
  { text: 'bind=balancing:0-1', policy: policy('bind', [0, 1], { balancing: true }), perTarget: false },
  { text: 'interleave=relative:0-1', policy: policy('interleave', [0, 1], { remap: 'relative' }), perTarget: false },
];
const RANGE_ONLY_POLICIES: readonly PolicySpec[] = [{ text: 'bind=1-2 home=2', policy: policy('bind', [1, 2], {}, 2), perTarget: false }];

export const policyArb = fc.constantFrom(...POLICIES).map((p) => ({ raw: p.text, typed: p }));
const rangePolicyArb = fc.constantFrom(...POLICIES, ...RANGE_ONLY_POLICIES).map((p) => ({ raw: p.text, typed: p }));

const NODE_LISTS: readonly Pair<string | number, NodeListSpec>[] = [
  { raw: 0, typed: { text: '0', nodes: [0], perTarget: false } },
  { raw: 3, typed: { text: '3', nodes: [3], perTarget: false } },
  { raw: '1-2', typed: { text: '1-2', nodes: [1, 2], perTarget: false } },
  { raw: '0,2', typed: { text: '0,2', nodes: [0, 2], perTarget: false } },
  { raw: 'all', typed: { text: 'all', nodes: [0, 1, 2, 3], perTarget: true } },
];
const nodeListArb = fc.constantFrom(...NODE_LISTS);
const CPU_LISTS = [
  { raw: '0-1', typed: { text: '0-1', cpus: [0, 1] } },
  { raw: 2, typed: { text: '2', cpus: [2] } },
  { raw: '0,3', typed: { text: '0,3', cpus: [0, 3] } },
] as const;

/** Users of helpers.ts's PASSWD, and uids. */
const USERS = [
  { raw: 'backup', typed: { text: 'backup', uid: 34 } },
  { raw: 'root', typed: { text: 'root', uid: 0 } },
  { raw: 1000, typed: { text: '1000', uid: 1000 } },
  { raw: 'nobody', typed: { text: 'nobody', uid: 65534 } },
] as const;

const CMDLINES = ['--big', '^java', 'serve$', '\\s-Xmx\\d+g', 'a|b'];

type Raw = Record<string, unknown>;
type Typed = Record<string, unknown>;

/** A map of some of `fields` (at least `min`), as raw and typed maps side by side. */
function someOf(fields: Record<string, fc.Arbitrary<Pair<unknown, unknown> & { key?: string }>>, min = 0): fc.Arbitrary<Pair<Raw, Typed>> {
  return fc
    .record(fields, { requiredKeys: [] })
    .filter((r) => Object.keys(r).length >= min)
    .chain((r) => fc.shuffledSubarray(Object.keys(r), { minLength: Object.keys(r).length }).map((order) => ({ r, order })))
    .map(({ r, order }) => {
      const raw: Raw = {};
      const typed: Typed = {};
      for (const k of order) {
        const v = (r as Record<string, Pair<unknown, unknown> & { key?: string }>)[k]!;
        raw[k] = v.raw;
        typed[v.key ?? k] = v.typed;
      }
      return { raw, typed };
    });
}

const as = <R, T>(a: fc.Arbitrary<Pair<R, T>>, key: string) => a.map((p) => ({ ...p, key }));
const same = <V>(a: fc.Arbitrary<V>) => a.map((v) => ({ raw: v, typed: v }));

const matchArb = someOf(
  {
    comm: same(fc.stringMatching(/^[a-z][a-z0-9_-]{0,14}$/)),
    exe: same(fc.tuple(pathArb, fc.boolean()).map(([p, glob]) => (glob ? `${p}/*` : p))),
    cmdline: fc.constantFrom(...CMDLINES).map((c) => ({ raw: c, typed: new RegExp(c) })),
    user: fc.constantFrom(...USERS),
    cgroup: same(word.map((w) => `/system.slice/${w}.service`)),
    'min-rss': as(sizeArb, 'minRss'),
    'min-threads': as(same(fc.integer({ min: 1, max: 10_000 })), 'minThreads'),
    pid: fc.oneof(
      fc.integer({ min: 1, max: 4_194_304 }).map((p) => ({ raw: p as number | number[], typed: [p] })),
      fc.array(fc.integer({ min: 1, max: 4_194_304 }), { minLength: 1, maxLength: 4 }).map((ps) => ({ raw: ps as number | number[], typed: ps })),
    ),
  },
  1,
);

const VMA_KEYS = ['heap', 'stack', 'anon', 'shm', 'file:/usr/lib/*', 'file:/opt/*.so'] as const;
const vmasArb: fc.Arbitrary<Pair<Raw, VmaAction[]>> = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...VMA_KEYS), rangePolicyArb, fc.option(fc.boolean(), { nil: undefined })), { selector: (t) => t[0], minLength: 1, maxLength: 4 })
  .map((entries) => {
    const raw: Raw = {};
    const typed: VmaAction[] = [];
    for (const [key, p, move] of entries) {
      raw[key] = move === undefined ? { policy: p.raw } : { policy: p.raw, move };
      const file = key.startsWith('file:');
      typed.push({ key, area: file ? 'file' : (key as VmaAction['area']), ...(file ? { glob: key.slice(5) } : {}), policy: p.typed, move: move ?? false });
    }
    return { raw, typed };
  });

const cpusArb = fc.oneof(
  nodeListArb.map((n) => ({ raw: { nodes: n.raw } as Raw, typed: { nodes: n.typed } as MatchRule['cpus'] })),
  fc.constantFrom(...CPU_LISTS).map((c) => ({ raw: { cpus: c.raw } as Raw, typed: { cpus: { text: c.typed.text, cpus: [...c.typed.cpus] } } as MatchRule['cpus'] })),
);

const migrateArb = fc.tuple(nodeListArb, nodeListArb, fc.option(rateArb, { nil: undefined })).map(([from, to, rate]) => ({
  raw: { from: from.raw, to: to.raw, ...(rate === undefined ? {} : { rate: rate.raw }) } as Raw,
  typed: { from: from.typed, to: to.typed, rate: rate?.typed ?? null },
}));

const modeArb = fc.constantFrom('enforce', 'advise');

const actingRuleArb = fc
  .tuple(
    nameArb,
    matchArb,
    someOf({ policy: policyArb, vmas: vmasArb, cpus: cpusArb, migrate: migrateArb, job: same(nameArb), place: same(fc.constant('auto')) }, 1),
    fc.option(same(modeArb), { nil: undefined }),
    fc.option(fc.constant(false), { nil: undefined }),
  )
  .map(([name, match, actions, mode, exclude]) => {
    const raw: Raw = { name, match: match.raw, ...actions.raw, ...(mode === undefined ? {} : { mode: mode.raw }), ...(exclude === undefined ? {} : { exclude }) };
    const typed = { kind: 'match', name, match: match.typed, exclude: false, vmas: [], ...actions.typed, ...(mode === undefined ? {} : { mode: mode.typed }) } as MatchRule;
    return { raw, typed: typed as Rule };
  });

const excludeRuleArb = fc.tuple(nameArb, matchArb, fc.option(modeArb, { nil: undefined })).map(([name, match, mode]) => ({
  raw: { name, match: match.raw, exclude: true, ...(mode === undefined ? {} : { mode }) } as Raw,
  typed: { kind: 'match', name, match: match.typed, exclude: true, vmas: [], ...(mode === undefined ? {} : { mode }) } as MatchRule as Rule,
}));

const shmObjectArb = fc.oneof(
  fc.tuple(fc.constantFrom('/dev/shm', '/dev/hugepages'), word).map(([d, w]) => ({ raw: { file: `${d}/${w}` } as Raw, typed: { file: `${d}/${w}` } as ShmRule['shm'] })),
  fc.integer({ min: 1, max: 0xffffffff }).chain((k) =>
    fc.constantFrom({ raw: { key: k } as Raw, typed: { key: k } as ShmRule['shm'] }, { raw: { key: `0x${k.toString(16)}` } as Raw, typed: { key: k } as ShmRule['shm'] }),
  ),
  fc.integer({ min: 0, max: 0x7fffffff }).map((id) => ({ raw: { id } as Raw, typed: { id } as ShmRule['shm'] })),
);

const shmRuleArb = fc.tuple(nameArb, shmObjectArb, policyArb, fc.option(modeArb, { nil: undefined })).map(([name, shm, p, mode]) => ({
  raw: { name, shm: shm.raw, policy: p.raw, ...(mode === undefined ? {} : { mode }) } as Raw,
  typed: { kind: 'shm', name, shm: shm.typed, policy: p.typed, ...(mode === undefined ? {} : { mode }) } as ShmRule as Rule,
}));

export const ruleArb = fc.oneof({ arbitrary: actingRuleArb, weight: 3 }, excludeRuleArb, shmRuleArb);

const listenArb = fc.oneof(
  fc.tuple(fc.constantFrom('127.0.0.1', '0.0.0.0', 'localhost', 'numa-host.example'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => ({ raw: `${h}:${p}`, typed: { host: h, port: p } })),
  fc.integer({ min: 1, max: 65535 }).map((p) => ({ raw: `[::1]:${p}`, typed: { host: '::1', port: p } })),
);

/** Every setting's default, written out: what an empty file must give. */
export const DEFAULTS: DaemonConfig = {
  mode: 'enforce',
  rescan: 5000,
  journal: '/var/lib/numapol/journal.db',
  migrateRate: null,
  stopRate: 50,
  restoreOnExit: false,
  socket: '/run/numapol/numapol.sock',
  http: null,
  logLevel: 'info',
  auto: { interval: 10_000, cooldown: 300_000, maxMoves: 1, threshold: 0.1 },
  metrics: { topProcesses: 20 },
  rules: [],
};

export const configArb: fc.Arbitrary<Pair<Raw, DaemonConfig>> = fc
  .tuple(
    someOf({
      mode: same(modeArb),
      rescan: durationArb(100),
      journal: same(pathArb),
      'migrate-rate': as(rateArb, 'migrateRate'),
      'stop-rate': as(
        fc.oneof(
          fc.integer({ min: 1, max: 1000 }).map((n) => ({ raw: n as string | number, typed: n })),
          fc.integer({ min: 1, max: 1000 }).map((n) => ({ raw: `${n}/s` as string | number, typed: n })),
        ),
        'stopRate',
      ),
      'restore-on-exit': as(same(fc.boolean()), 'restoreOnExit'),
      socket: same(pathArb),
      http: fc.tuple(listenArb, pathArb).map(([l, t]) => ({ raw: { listen: l.raw, 'token-file': t }, typed: { listen: l.typed, tokenFile: t } })),
      'log-level': as(same(fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug')), 'logLevel'),
      auto: someOf({
        interval: durationArb(100),
        cooldown: durationArb(0),
        'max-moves': as(same(fc.integer({ min: 1, max: 100 })), 'maxMoves'),
        threshold: same(fc.double({ min: 0, max: 1, noNaN: true })),
      }).map((a) => ({ raw: a.raw, typed: { ...DEFAULTS.auto, ...a.typed } })),
      metrics: someOf({ 'top-processes': as(same(fc.integer({ min: 0, max: 1000 })), 'topProcesses') }).map((m) => ({ raw: m.raw, typed: { ...DEFAULTS.metrics, ...m.typed } })),
    }),
    fc.uniqueArray(ruleArb, { selector: (r) => r.raw['name'], maxLength: 5 }),
    fc.boolean(),
  )
  .map(([top, rules, writeRules]) => {
    const raw: Raw = { ...top.raw, ...(rules.length > 0 || writeRules ? { rules: rules.map((r) => r.raw) } : {}) };
    return { raw, typed: { ...DEFAULTS, ...top.typed, rules: rules.map((r) => r.typed) } as DaemonConfig };
  });

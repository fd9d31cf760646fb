import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ConfigError, parseConfigText } from '../../../src/daemon/config/index.js';
import { configArb } from './arbitraries.js';
import { machineRoot } from './helpers.js';

const FOUR = machineRoot('sys-guest-4node');

test('property: any valid configuration, written as YAML, loads as the typed configuration it stands for', () => {
  fc.assert(
    fc.property(configArb, ({ raw, typed }) => {
      const text = stringify(raw);
      const { config, warnings } = parseConfigText(text, 'gen.yaml', { root: FOUR });
      assert.deepEqual(config, typed, text);
      assert.deepEqual(warnings, []);
    }),
    { numRuns: 150 },
  );
});

type Seg = string | number;

/** A bad value for each setting, by where it sits; each is wrong for its key alone. */
const BAD: Readonly<Record<string, unknown>> = {
  mode: 'sometimes',
  rescan: 'fast',
  journal: 'relative/j.db',
  'migrate-rate': 'fast',
  'stop-rate': 'lots',
  'restore-on-exit': 'maybe',
  socket: 'x.sock',
  'log-level': 'loud',
  'auto.interval': 'soon',
  'auto.cooldown': 'later',
  'auto.max-moves': 0,
  'auto.threshold': 3,
  'metrics.top-processes': -2,
  'http.listen': 'nohost',
  'http.token-file': 'token',
  'rule.name': 'bad name!',
  'rule.policy': 'bind=9',
  'rule.mode': 'loud',
  'rule.job': 'bad job',
  'rule.place': 'manual',
  'rule.exclude': 'maybe',
  'match.comm': '',
  'match.exe': '',
  'match.cmdline': '(',
  'match.user': 'a b',
  'match.cgroup': 'rel',
  'match.min-rss': 'big',
  'match.min-threads': 0,
  'match.pid': 'x',
  'vma.policy': 'bogus',
  'vma.move': 'yes',
  'cpus.nodes': '9',
  'cpus.cpus': '77',
  'migrate.from': 'x',
  'migrate.to': '9',
  'migrate.rate': '5',
  'shm.file': 'rel',
  'shm.key': 'zz',
  'shm.id': -1,
};

interface Mutation {
  readonly path: readonly Seg[];
  readonly bad: unknown;
}

/** Every setting of `raw` that BAD has a bad value for, with that value. */
function mutations(raw: Record<string, unknown>): Mutation[] {
  const out: Mutation[] = [];
  const visit = (map: unknown, path: readonly Seg[], kind: string | undefined): void => {
    if (typeof map !== 'object' || map === null) return;
    for (const key of Object.keys(map)) {
      const k = kind === undefined ? key : `${kind}.${key}`;
      if (k in BAD) out.push({ path: [...path, key], bad: BAD[k] });
    }
  };
  visit(raw, [], undefined);
  for (const sub of ['auto', 'metrics', 'http']) visit(raw[sub], [sub], sub);
  const rules = (raw['rules'] ?? []) as Record<string, unknown>[];
  rules.forEach((rule, i) => {
    const at = ['rules', i] as const;
    visit(rule, at, 'rule');
    visit(rule['match'], [...at, 'match'], 'match');
    visit(rule['cpus'], [...at, 'cpus'], 'cpus');
    visit(rule['migrate'], [...at, 'migrate'], 'migrate');
    visit(rule['shm'], [...at, 'shm'], 'shm');
    for (const area of Object.keys((rule['vmas'] ?? {}) as object)) visit((rule['vmas'] as Record<string, unknown>)[area], [...at, 'vmas', area], 'vma');
  });
  return out;
}

function withValue(raw: unknown, path: readonly Seg[], value: unknown): unknown {
  const copy = structuredClone(raw) as Record<Seg, unknown>;
  let at = copy;
  for (const seg of path.slice(0, -1)) at = at[seg] as Record<Seg, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

/** `rules[0].vmas["file:/usr/lib/*"].policy`, as the reference writes paths. */
function pathText(path: readonly Seg[]): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

test('property: a bad value anywhere in a valid configuration is the error, named by its path and pointed at in the text', () => {
  const withMutation = configArb.chain(({ raw }) => {
    const all = mutations(raw);
    return all.length === 0 ? fc.constant(undefined) : fc.constantFrom(...all).map((m) => ({ raw, m }));
  });
  fc.assert(
    fc.property(withMutation, (c) => {
      if (c === undefined) return;
      const text = stringify(withValue(c.raw, c.m.path, c.m.bad));
      let err: unknown;
      try {
        parseConfigText(text, 'gen.yaml', { root: FOUR });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ConfigError, `accepted ${JSON.stringify(c.m)}:\n${text}`);
      assert.equal(err.path, pathText(c.m.path), `${err.message}\n${text}`);
      // The text at the error's line and column is the bad value as YAML wrote it.
      const at = text.split('\n')[err.line - 1]!.slice(err.column - 1);
      const bad = c.m.bad;
      const forms = typeof bad === 'string' ? [JSON.stringify(bad), `'${bad}'`, ...(bad === '' ? [] : [bad])] : [String(bad)];
      assert.ok(
        forms.some((f) => at.startsWith(f)),
        `${err.message}: text there is ${JSON.stringify(at)}, expected ${forms.join(' or ')}\n${text}`,
      );
    }),
    { numRuns: 200 },
  );
});

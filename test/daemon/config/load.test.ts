import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../../../src/errors.js';
import { ConfigError, defaultConfig, loadConfigFile, parseConfigText, type DaemonConfig } from '../../../src/daemon/config/index.js';
import { DEFAULTS } from './arbitraries.js';
import { EXAMPLE_AUTO, EXAMPLE_RULES } from './examples.js';
import { machineRoot, marked, tempDir } from './helpers.js';

const FOUR = machineRoot('sys-guest-4node');
const ONE = machineRoot('sys-host-1node');


test('the first example loads as written on a 4-node machine, every value typed', () => {
  const { config, warnings } = parseConfigText(EXAMPLE_RULES, 'numapol.yaml', { root: FOUR });
  assert.deepEqual(warnings, []);
  const expected: DaemonConfig = {
    ...DEFAULTS,
    migrateRate: 200_000_000,
    rules: [
      {
        kind: 'match',
        name: 'spread-cache',
        match: { comm: 'memcached' },
        exclude: false,
        vmas: [],
        policy: { text: 'interleave=all', policy: { mode: 'interleave', nodes: [0, 1, 2, 3], flags: {} }, perTarget: true },
      },
      {
        kind: 'match',
        name: 'batch-heap',
        match: { exe: '/opt/batch/bin/*', cmdline: /--big/ },
        exclude: false,
        vmas: [{ key: 'heap', area: 'heap', policy: { text: 'bind=2-3', policy: { mode: 'bind', nodes: [2, 3], flags: {} }, perTarget: false }, move: true }],
        cpus: { nodes: { text: '2-3', nodes: [2, 3], perTarget: false } },
      },
      {
        kind: 'match',
        name: 'tidy-legacy',
        match: { cgroup: '/system.slice/legacy.service' },
        exclude: false,
        vmas: [],
        migrate: { from: { text: '0', nodes: [0], perTarget: false }, to: { text: '1', nodes: [1], perTarget: false }, rate: 50_000_000 },
      },
      { kind: 'match', name: 'leave-backups-alone', match: { user: { text: 'backup', uid: 34 } }, exclude: true, vmas: [] },
    ],
  };
  assert.deepEqual(config, expected);
});

test('the second example (auto placement, jobs) loads as written', () => {
  const { config, warnings } = parseConfigText(EXAMPLE_AUTO, 'numapol.yaml', { root: FOUR });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config, {
    ...DEFAULTS,
    rescan: 2000,
    migrateRate: 500_000_000,
    auto: { ...DEFAULTS.auto, interval: 2000 },
    rules: [
      { kind: 'match', name: 'auto-place', match: { comm: 'myapp' }, exclude: false, vmas: [], place: 'auto' },
      { kind: 'match', name: 'batch', match: { comm: 'solver' }, exclude: false, vmas: [], job: 'batch1' },
    ],
  });
});

test('on a one-node machine both examples load; rules naming other nodes stay inactive, one located warning each', () => {
  const { config, warnings } = parseConfigText(EXAMPLE_RULES, 'numapol.yaml', { root: ONE });
  const lines = EXAMPLE_RULES.split('\n');
  const ruleLine = (name: string): number => lines.findIndex((l) => l.includes(`- name: ${name}`)) + 1;
  assert.deepEqual(
    warnings.map((w) => [w.path, w.problem, w.line, w.column]),
    [
      ['rules[1]', 'names nodes 2-3; this machine has only node 0: the rule stays inactive here', ruleLine('batch-heap'), 5],
      ['rules[2]', 'names node 1; this machine has only node 0: the rule stays inactive here', ruleLine('tidy-legacy'), 5],
    ],
  );
  for (const w of warnings) assert.equal(w.message, `numapol.yaml: ${w.path}: ${w.problem} (line ${w.line}, column ${w.column})`);
  assert.deepEqual(config.rules.map((r) => r.inactive?.missingNodes ?? null), [null, [2, 3], [1], null]);
  // `all` is this machine's nodes: the first rule acts here.
  const first = config.rules[0]!;
  assert.ok(first.kind === 'match' && first.policy !== undefined);
  assert.deepEqual(first.policy.policy.nodes, [0]);
  // The inactive rule keeps what it says, for the day it runs on a machine that has the nodes.
  const heap = config.rules[1]!;
  assert.ok(heap.kind === 'match');
  assert.deepEqual(heap.vmas[0]!.policy.policy, { mode: 'bind', nodes: [2, 3], flags: {} });
  assert.deepEqual(heap.cpus?.nodes?.nodes, [2, 3]);

  assert.deepEqual(parseConfigText(EXAMPLE_AUTO, 'numapol.yaml', { root: ONE }).warnings, []);
});

test('on a machine with two or more nodes, a node it lacks is an error in the rule, not a warning', () => {
  const m = marked('rules:\n  - name: far\n    match: { comm: x }\n    policy: »bind=9\n');
  assert.throws(
    () => parseConfigText(m.text, 'numapol.yaml', { root: FOUR }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === `numapol.yaml: rules[0].policy: node 9 does not exist: this machine has nodes 0-3 (line ${m.line}, column ${m.column})`,
  );
  // The one-node leniency covers missing nodes only: a malformed policy is an error there too.
  assert.throws(() => parseConfigText('rules:\n  - name: a\n    match: { comm: x }\n    policy: bind=x\n', 'f', { root: ONE }), ConfigError);
  // A one-node machine accepts a rule naming node 9 and keeps it inactive.
  const { config, warnings } = parseConfigText(m.text, 'numapol.yaml', { root: ONE });
  assert.equal(warnings.length, 1);
  assert.deepEqual(config.rules[0]!.inactive?.missingNodes, [9]);
});

test('on a one-node machine, text that fails only for lack of nodes (+1, !0, 0,5) leaves the rule inactive; text wrong anywhere is an error', () => {
  const rule = (policy: string): string => `rules:\n  - name: a\n    match: { comm: x }\n    policy: ${policy}\n`;
  const missing = (policy: string): readonly number[] | undefined => parseConfigText(rule(policy), 'f', { root: ONE }).config.rules[0]!.inactive?.missingNodes;
  assert.deepEqual(missing('bind=0,5'), [5]);
  assert.deepEqual(missing('bind=+1'), [1]);
  assert.deepEqual(missing('preferred=7'), [7]);
  assert.equal(missing('interleave=!0')?.[0], 1);
  assert.equal(missing('interleave=all'), undefined);
  // Relative policies name positions in the cpuset, not nodes: nothing is missing.
  assert.equal(missing('bind=relative:3'), undefined);
  for (const bad of ['prefer=5-6', 'bind=x', 'bind=5-2', 'prefer=5 home=5']) {
    assert.throws(() => parseConfigText(rule(bad), 'f', { root: ONE }), ConfigError, bad);
  }
  const nodes = parseConfigText('rules:\n  - name: a\n    match: { comm: x }\n    migrate: { from: "+1", to: 3 }\n', 'f', { root: ONE });
  assert.deepEqual(nodes.config.rules[0]!.inactive?.missingNodes, [1, 3]);
  assert.throws(() => parseConfigText('rules:\n  - name: a\n    match: { comm: x }\n    cpus: { cpus: 8-15 }\n', 'f', { root: ONE }), /cpus 8-15 do not exist: this machine has cpus 0-1/);
});

test('a user this machine lacks is a warning at the selector, and the selector matches no uid', () => {
  const root = machineRoot('sys-guest-4node', 'root:x:0:0::/root:/bin/sh\n');
  const { config, warnings } = parseConfigText(EXAMPLE_RULES, 'numapol.yaml', { root });
  const rule = config.rules[3]!;
  assert.ok(rule.kind === 'match');
  assert.deepEqual(rule.match.user, { text: 'backup', uid: null });
  const m = marked(EXAMPLE_RULES.replace('{ user: backup }', '{ user: »backup }'));
  assert.deepEqual(
    warnings.map((w) => [w.path, w.line, w.column, w.problem]),
    [['rules[3].match.user', m.line, m.column, 'user "backup" does not exist on this machine: the selector matches nothing']],
  );
  // A uid needs no lookup.
  const byUid = parseConfigText('rules:\n  - name: a\n    match: { user: 1000 }\n    exclude: true\n', 'f', { root });
  assert.deepEqual(byUid.warnings, []);
  assert.deepEqual((byUid.config.rules[0] as { match: unknown }).match, { user: { text: '1000', uid: 1000 } });
});

test('an empty file, or one of comments only, is every default; defaultConfig() is the same', () => {
  assert.deepEqual(defaultConfig(), DEFAULTS);
  assert.deepEqual(parseConfigText('', 'f', { root: FOUR }).config, DEFAULTS);
  assert.deepEqual(parseConfigText('# nothing yet\n', 'f', { root: FOUR }).config, DEFAULTS);
  assert.deepEqual(parseConfigText('rules:\n', 'f', { root: FOUR }).config, DEFAULTS);
});

test('every top-level key is read into its camelCase field', () => {
  const text = [
    'mode: advise',
    'rescan: 250ms',
    'journal: /srv/j.db',
    'migrate-rate: 1GiB/s',
    'stop-rate: 20/s',
    'restore-on-exit: true',
    'socket: /run/x.sock',
    'http: { listen: "[::1]:9100", token-file: /etc/numapol/token }',
    'log-level: debug',
    'auto: { interval: 1m, cooldown: 0, max-moves: 3, threshold: 0.25 }',
    'metrics: { top-processes: 0 }',
  ].join('\n');
  assert.deepEqual(parseConfigText(text, 'f', { root: FOUR }).config, {
    mode: 'advise',
    rescan: 250,
    journal: '/srv/j.db',
    migrateRate: 2 ** 30,
    stopRate: 20,
    restoreOnExit: true,
    socket: '/run/x.sock',
    http: { listen: { host: '::1', port: 9100 }, tokenFile: '/etc/numapol/token' },
    logLevel: 'debug',
    auto: { interval: 60_000, cooldown: 0, maxMoves: 3, threshold: 0.25 },
    metrics: { topProcesses: 0 },
    rules: [],
  });
});

test('rule forms: shm objects, CPU lists, vmas in the order written, per-rule mode, pids', () => {
  const text = `rules:
  - name: seg
    shm: { key: "0x1234" }
    policy: interleave=0-1
  - name: tmpfs
    shm: { file: /dev/shm/db }
    policy: bind=2
    mode: advise
  - name: by-id
    shm: { id: 7 }
    policy: preferred=3
  - name: pinned
    match: { pid: [10, 20], min-threads: 4, min-rss: 1GiB }
    cpus: { cpus: 0-1 }
    vmas:
      "file:/usr/lib/*": { policy: interleave=all }
      stack: { policy: local }
      heap: { policy: bind=1-2 home=2 }
`;
  const { config } = parseConfigText(text, 'f', { root: FOUR });
  assert.deepEqual(
    config.rules.slice(0, 3).map((r) => (r.kind === 'shm' ? [r.shm, r.policy.policy, r.mode ?? null] : null)),
    [
      [{ key: 0x1234 }, { mode: 'interleave', nodes: [0, 1], flags: {} }, null],
      [{ file: '/dev/shm/db' }, { mode: 'bind', nodes: [2], flags: {} }, 'advise'],
      [{ id: 7 }, { mode: 'preferred', nodes: [3], flags: {} }, null],
    ],
  );
  const pinned = config.rules[3]!;
  assert.ok(pinned.kind === 'match');
  assert.deepEqual(pinned.match, { pid: [10, 20], minThreads: 4, minRss: 2 ** 30 });
  assert.deepEqual(pinned.cpus, { cpus: { text: '0-1', cpus: [0, 1] } });
  assert.deepEqual(
    pinned.vmas.map((v) => [v.key, v.area, v.glob ?? null, v.policy.text, v.policy.policy.homeNode ?? null, v.move]),
    [
      ['file:/usr/lib/*', 'file', '/usr/lib/*', 'interleave=all', null, false],
      ['stack', 'stack', null, 'local', null, false],
      ['heap', 'heap', null, 'bind=1-2 home=2', 2, false],
    ],
  );
});

test('loadConfigFile reads the file and names it in errors; a missing file is ENOENT', () => {
  const dir = tempDir();
  const good = join(dir, 'numapol.yaml');
  writeFileSync(good, EXAMPLE_AUTO);
  assert.equal(loadConfigFile(good, { root: FOUR }).config.rescan, 2000);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'mode: loud\n');
  assert.throws(() => loadConfigFile(bad, { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.file === bad && e.message.startsWith(`${bad}: mode: `));
  assert.throws(
    () => loadConfigFile(join(dir, 'absent.yaml'), { root: FOUR }),
    (e: unknown) => e instanceof NumapolError && !(e instanceof ConfigError) && e.code === 'ENOENT' && /absent\.yaml: no such file/.test(e.message),
  );
});

test('ConfigError is a usage NumapolError ECONFIG with its location in fields and details', () => {
  try {
    parseConfigText('rescan: 5x\n', 'c.yaml', { root: FOUR });
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ConfigError && e instanceof NumapolError);
    assert.equal(e.code, 'ECONFIG');
    assert.equal(e.usage, true);
    assert.deepEqual([e.file, e.path, e.line, e.column], ['c.yaml', 'rescan', 1, 9]);
    assert.deepEqual(e.details, { file: 'c.yaml', line: 1, column: 9, path: 'rescan', problem: e.problem });
    assert.equal(e.message, `c.yaml: rescan: ${e.problem} (line 1, column 9)`);
  }
});

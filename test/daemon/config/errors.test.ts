// Each kind of error, located: a bad snippet with » before the text the error must point at,
// the path it must name and its problem. The message is always
// `${file}: ${path}: ${problem} (line L, column C)`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText } from '../../../src/daemon/config/index.js';
import { EXAMPLE_RULES } from './examples.js';
import { machineRoot, marked } from './helpers.js';

const FOUR = machineRoot('sys-guest-4node');
const R = 'rules:\n  - name: r\n    match: { comm: x }\n';

type Row = readonly [snippet: string, path: string, problem: string | RegExp];

const ROWS: readonly Row[] = [
  // Top-level values
  ['mode: »sometimes', 'mode', 'expected enforce or advise, got "sometimes"'],
  ['rescan: »50ms', 'rescan', '"50ms" is too short: at least 100ms'],
  ['rescan: »true', 'rescan', 'expected a duration such as 500ms, 5s, 2m or 1h, got true'],
  ['rescan: »5x', 'rescan', /^bad duration "5x": expected a number with ms, s, m or h/],
  ['journal: »var/j.db', 'journal', 'expected an absolute path (starting with /)'],
  ['migrate-rate: »200', 'migrate-rate', 'expected a rate such as 200MB/s, got the number 200'],
  ['migrate-rate: »200mb/s', 'migrate-rate', /^bad rate "200mb\/s": expected a number of bytes per second/],
  ['stop-rate: »0', 'stop-rate', 'bad rate "0": must be more than 0'],
  ['restore-on-exit: »yes', 'restore-on-exit', 'expected true or false, got "yes"'],
  ['log-level: »loud', 'log-level', 'expected one of fatal, error, warn, info, debug, got "loud"'],
  ['auto:\n  threshold: »2', 'auto.threshold', 'must be from 0 to 1'],
  ['auto: { max-moves: »1.5 }', 'auto.max-moves', 'expected a whole number'],
  ['metrics: { top-processes: »-1 }', 'metrics.top-processes', 'must be at least 0'],
  ['http: { listen: »nohost, token-file: /t }', 'http.listen', 'bad listen address "nohost": expected HOST:PORT, e.g. 127.0.0.1:9100 or [::1]:9100'],
  ['http: »{ listen: "127.0.0.1:9100" }', 'http.token-file', 'missing required key "token-file": the daemon refuses TCP without a token'],
  ['rules: »{}', 'rules', 'expected a list of rules, got a map'],
  ['»- mode: enforce', '(document)', 'expected a map of settings (mode, rescan, rules, …), got a list'],
  // Unknown keys: at the key, with a suggestion when one is close
  ['»mdoe: advise', 'mdoe', 'unknown key "mdoe": did you mean "mode"?'],
  ['»migrateRate: 1MB/s', 'migrateRate', 'unknown key "migrateRate": did you mean "migrate-rate"?'],
  ['mode: advise\n»colour: blue', 'colour', /^unknown key "colour": expected one of mode, rescan, journal, migrate-rate, /],
  ['auto:\n  »intreval: 2s', 'auto.intreval', 'unknown key "intreval": did you mean "interval"?'],
  [`${R}    »polcy: local`, 'rules[0].polcy', 'unknown key "polcy": did you mean "policy"?'],
  ['rules:\n  - »nmae: r\n    match: { comm: x }\n    policy: local', 'rules[0].nmae', 'unknown key "nmae": did you mean "name"?'],
  ['rules:\n  - name: r\n    match: { »com: x }\n    policy: local', 'rules[0].match.com', 'unknown key "com": did you mean "comm"?'],
  // Rules
  ['rules:\n  - name: »"bad name"\n    match: { comm: x }\n    exclude: true', 'rules[0].name', 'a name is letters, digits, "_", "." and "-" only'],
  [`${R}    policy: local\n  - name: »r\n    match: { comm: y }\n    exclude: true`, 'rules[1].name', 'rule name "r" is already used by rules[0]'],
  ['rules:\n  - »match: { comm: x }\n    policy: local', 'rules[0].name', 'missing required key "name"'],
  ['rules:\n  - »name: r\n    policy: local', 'rules[0]', 'a rule needs match (which processes) or shm (which shared memory object)'],
  [`${R}    »shm: { id: 1 }\n    policy: local`, 'rules[0].shm', 'a rule has match (processes) or shm (a shared memory object), not both'],
  ['rules:\n  - »name: r\n    match: { comm: x }\n    exclude: false', 'rules[0]', 'the rule does nothing: give an action (policy, vmas, cpus, migrate), exclude: true, job or place'],
  [`${R}    exclude: true\n    »policy: local`, 'rules[0].policy', 'a rule with exclude: true takes no actions: remove "policy" or exclude'],
  [`${R}    mode: »loud\n    policy: local`, 'rules[0].mode', 'expected enforce or advise, got "loud"'],
  [`${R}    place: »manual`, 'rules[0].place', 'expected auto, got "manual"'],
  [`${R}    job: »"two words"`, 'rules[0].job', 'a name is letters, digits, "_", "." and "-" only'],
  ['rules:\n  - name: r\n    match: { comm: x }\n    policy: local\n  - »foo', 'rules[1]', 'expected a rule (a map with name, match and actions), got "foo"'],
  // Selectors
  ['rules:\n  - name: r\n    match: »{}\n    policy: local', 'rules[0].match', 'match needs at least one selector: comm, exe, cmdline, user, cgroup, min-rss, min-threads, pid'],
  ['rules:\n  - name: r\n    match: { cmdline: »"(" }\n    policy: local', 'rules[0].match.cmdline', 'bad regular expression "(": Unterminated group'],
  ['rules:\n  - name: r\n    match: { comm: »averyveryverylongname }\n    policy: local', 'rules[0].match.comm', /^a command name has at most 15 characters/],
  ['rules:\n  - name: r\n    match: { pid: [1, »"x"] }\n    policy: local', 'rules[0].match.pid[1]', 'expected a pid (a whole number), got "x"'],
  ['rules:\n  - name: r\n    match: { pid: »0 }\n    policy: local', 'rules[0].match.pid', 'pid 0 is out of range (1-4194304)'],
  ['rules:\n  - name: r\n    match: { min-rss: »lots }\n    policy: local', 'rules[0].match.min-rss', /^bad size "lots": expected a number of bytes/],
  ['rules:\n  - name: r\n    match: { min-threads: »0 }\n    policy: local', 'rules[0].match.min-threads', 'must be at least 1'],
  ['rules:\n  - name: r\n    match: { cgroup: »system.slice }\n    policy: local', 'rules[0].match.cgroup', 'a cgroup path starts with "/" (as in /proc/PID/cgroup: /system.slice/x.service)'],
  ['rules:\n  - name: r\n    match: { user: »"a b" }\n    policy: local', 'rules[0].match.user', 'expected a user name or uid, got "a b"'],
  // Policies and nodes: the project's own parser and validator word the problem
  [`${R}    policy: »bind=9`, 'rules[0].policy', 'node 9 does not exist: this machine has nodes 0-3'],
  [`${R}    policy: »interleave:0-5`, 'rules[0].policy', 'nodes 4-5 do not exist: this machine has nodes 0-3'],
  [`${R}    policy: »bogus`, 'rules[0].policy', /^bad mempolicy "bogus" at character 1: unknown mode "bogus"/],
  [`${R}    policy: »prefer=1-2`, 'rules[0].policy', /^bad mempolicy "prefer=1-2" at character 8: preferred takes exactly one node, not 2/],
  [`${R}    policy: »bind=1 home=1`, 'rules[0].policy', /^a home node is set on address ranges/],
  [`${R}    vmas: { »hep: { policy: local } }`, 'rules[0].vmas.hep', 'unknown memory area "hep": expected heap, stack, anon, shm or file:GLOB (did you mean "heap"?)'],
  [`${R}    vmas: { »file: { policy: local } }`, 'rules[0].vmas.file', 'give the file\'s glob after a colon, e.g. "file:/usr/lib/*"'],
  [`${R}    vmas: { "file:/lib/*": { policy: »interleave=7 } }`, 'rules[0].vmas["file:/lib/*"].policy', 'node 7 does not exist: this machine has nodes 0-3'],
  [`${R}    vmas: { heap: { policy: local, move: »1 } }`, 'rules[0].vmas.heap.move', 'expected true or false, got the number 1'],
  [`${R}    vmas: »{}`, 'rules[0].vmas', 'vmas names no area: give heap, stack, anon, shm or file:GLOB'],
  [`${R}    cpus: { »nodes: 1, cpus: 2 }`, 'rules[0].cpus.nodes', 'give only one of "nodes" or "cpus", not "nodes" and "cpus"'],
  [`${R}    cpus: »{}`, 'rules[0].cpus', 'cpus needs nodes: NODELIST or cpus: CPULIST'],
  [`${R}    cpus: { cpus: »99 }`, 'rules[0].cpus.cpus', 'cpu 99 does not exist: this machine has cpus 0-3'],
  [`${R}    cpus: { cpus: »0-100000000 }`, 'rules[0].cpus.cpus', 'cpu 100000000 does not exist: this machine has cpus 0-3'],
  [`${R}    cpus: { nodes: »7 }`, 'rules[0].cpus.nodes', 'node 7 does not exist: this machine has nodes 0-3'],
  [`${R}    migrate: »{ from: 0 }`, 'rules[0].migrate.to', 'missing required key "to"'],
  [`${R}    migrate: { from: 0, to: »x }`, 'rules[0].migrate.to', /^bad node list "x" at character 1: unknown word "x"/],
  [`${R}    migrate: { from: 0, to: 1, rate: »fast }`, 'rules[0].migrate.rate', /^bad rate "fast"/],
  // shm rules
  ['rules:\n  - »name: r\n    shm: { file: /dev/shm/x }', 'rules[0].policy', 'missing required key "policy": an shm rule sets the object\'s policy'],
  ['rules:\n  - name: r\n    shm: { file: /dev/shm/x }\n    policy: local\n    »cpus: { nodes: 1 }', 'rules[0].cpus', 'an shm rule takes only policy (and mode): remove "cpus"'],
  ['rules:\n  - name: r\n    shm: { key: »0 }\n    policy: local', 'rules[0].shm.key', 'key 0 is IPC_PRIVATE, which names no segment: give the segment\'s id instead'],
  ['rules:\n  - name: r\n    shm: { key: »zz }\n    policy: local', 'rules[0].shm.key', /^bad System V key "zz"/],
  ['rules:\n  - name: r\n    shm: { »key: "0x1234", id: 3 }\n    policy: local', 'rules[0].shm.key', 'give only one of "file", "key", "id", not "key" and "id"'],
  ['rules:\n  - name: r\n    shm: { file: »x }\n    policy: local', 'rules[0].shm.file', 'expected an absolute path (starting with /)'],
  // YAML itself
  ['a: 1\n»a: 2', '(yaml)', 'this key is given twice in the same map'],
  ['mode: enforce\n»---\nmode: advise', '(yaml)', 'the file holds more than one YAML document (---): put every setting in one'],
  ['mode: [»', '(yaml)', /Flow sequence/],
  ['mode: »advise\n  rescan: 5s', '(yaml)', 'Nested mappings are not allowed in compact mappings'],
  ['rules:\n- name: a\n  match: {comm: x\n  »policy: local\n', '(yaml)', /^Flow map in block collection must be sufficiently indented and end with a }/],
];

test('each kind of error names the path, the line and column of the offending text, and the problem', () => {
  for (const [snippet, path, problem] of ROWS) {
    const m = marked(snippet);
    let err: unknown;
    try {
      parseConfigText(m.text, 'numapol.yaml', { root: FOUR });
    } catch (e) {
      err = e;
    }
    const where = JSON.stringify(snippet);
    assert.ok(err instanceof ConfigError, `${where} was accepted (${String(err)})`);
    assert.equal(err.path, path, where);
    if (typeof problem === 'string') assert.equal(err.problem, problem, where);
    else assert.match(err.problem, problem, where);
    assert.deepEqual([err.line, err.column], [m.line, m.column], `${where}: ${err.message}`);
    assert.equal(err.message, `numapol.yaml: ${path}: ${err.problem} (line ${m.line}, column ${m.column})`);
  }
});

test('the first problem in document order is reported, whatever its kind', () => {
  // Three problems: a node at line 8, a bad duration at line 2 written later in the schema's order,
  // an unknown key last. The duration comes first in the file.
  const text = EXAMPLE_RULES.replace('rescan: 5s', 'rescan: 5x').replace('interleave=all', 'interleave=9').replace('exclude: true', 'exclud: true');
  assert.throws(() => parseConfigText(text, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'rescan' && e.line === 2);
  const noDuration = text.replace('rescan: 5x', 'rescan: 5s');
  assert.throws(() => parseConfigText(noDuration, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'rules[0].policy' && e.line === 8);
  const onlyKey = noDuration.replace('interleave=9', 'interleave=all');
  assert.throws(() => parseConfigText(onlyKey, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'rules[3].exclud');
  // Problems in an earlier rule come before a misplaced key of the same rule's later line.
  const twoInRule = 'rules:\n  - name: r\n    match: { comm: x }\n    exclude: true\n    policy: bind=9\n    cpus: { nodes: 8 }\n';
  assert.throws(() => parseConfigText(twoInRule, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'rules[0].policy' && e.column === 5);
});

test('a map with a misspelt key is not also said to lack the key it meant', () => {
  // "nmae" is after match: without this rule, "missing name" (at the map's first line) would come first.
  const text = 'rules:\n  - match: { comm: x }\n    nmae: r\n    policy: local\n';
  assert.throws(() => parseConfigText(text, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'rules[0].nmae' && /did you mean "name"/.test(e.problem));
  const http = 'http: { listen: "127.0.0.1:1", tokenfile: /t }\n';
  assert.throws(() => parseConfigText(http, 'f', { root: FOUR }), (e: unknown) => e instanceof ConfigError && e.path === 'http.tokenfile' && /did you mean "token-file"/.test(e.problem));
});

test('the same bad file gives the same error every time', () => {
  const text = `${R}    policy: bind=9\n    cpus: { cpus: 99 }\n    vmas: { hep: { policy: bind=8 } }\n`;
  const messages = new Set<string>();
  for (let i = 0; i < 5; i++) {
    try {
      parseConfigText(text, 'f', { root: FOUR });
    } catch (e) {
      messages.add((e as Error).message);
    }
  }
  assert.equal(messages.size, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lines, numapol, STACK_LINE } from './helpers.js';

const COMMANDS = ['hardware', 'show', 'maps', 'stat', 'run'];

test('numapol --help lists every command on stdout, exit 0', () => {
  for (const flag of ['--help', '-h', 'help']) {
    const r = numapol([flag]);
    assert.equal(r.status, 0, flag);
    assert.equal(r.stderr, '');
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c}\\s`, 'm'), c);
  }
});

test('numapol with no command: usage, exit 2', () => {
  const r = numapol([]);
  assert.equal(r.status, 2);
  assert.match(r.stdout + r.stderr, /Usage: numapol COMMAND/);
});

test('numapol --version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = numapol(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

for (const c of COMMANDS) {
  test(`numapol ${c} --help: usage, options and JSON fields on stdout, exit 0`, () => {
    const r = numapol([c, '--help']);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^Usage: numapol ${c}`));
    assert.match(r.stdout, /^Options:$/m);
    for (const common of ['--help', '--json', '--debug']) assert.ok(r.stdout.includes(common), common);
    assert.match(r.stdout, /JSON/);
    assert.deepEqual(numapol([c, '-h']).stdout, r.stdout);
  });

  test(`numapol ${c} with an unknown option: one line on stderr, exit 2`, () => {
    const r = numapol([c, '--no-such-option', '1']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^numapol: .*--no-such-option/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  });
}

test('unknown command: one line on stderr naming it, nothing on stdout, exit 2', () => {
  const r = numapol(['frobnicate', '1']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.deepEqual(lines(r.stderr), ["numapol: unknown command 'frobnicate': run 'numapol --help' for the list"]);
});

test('a missing or malformed PID is a usage error (exit 2), never a stack', () => {
  for (const args of [['show'], ['show', 'abc'], ['show', '0'], ['maps', '-5'], ['maps', '1', '--min-pages', 'x'], ['show', '1', '2']]) {
    const r = numapol(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^numapol: /);
    assert.doesNotMatch(r.stderr, STACK_LINE);
  }
});

test('--debug adds a stack trace to an error; the first line stays the same', () => {
  const plain = numapol(['run', '-i', '7', 'true']);
  const debug = numapol(['run', '--debug', '-i', '7', 'true']);
  assert.equal(plain.status, 2);
  assert.equal(debug.status, 2);
  assert.doesNotMatch(plain.stderr, STACK_LINE);
  assert.match(debug.stderr, STACK_LINE);
  assert.equal(lines(debug.stderr)[0], lines(plain.stderr)[0]);
});

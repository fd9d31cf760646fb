// What the docs and completions read from a command's definition: its arguments (from its
// usage line) and what can be offered for each argument and option value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { briefOf, commandSpec, hintOf, usageTokens, type CommandSpec } from '../../../src/cli/docs/spec.js';
import { commands } from './helpers.js';

function spec(name: string): CommandSpec {
  const c = commands.find((x) => x.name === name);
  assert.ok(c, name);
  return commandSpec(c);
}

const args = (name: string): [string, string, boolean][] => spec(name).positionals.map((p) => [p.name, p.hint.kind === 'words' ? `words:${p.hint.words.join(',')}` : p.hint.kind, p.optional]);

test('usage tokens keep bracketed and parenthesised groups whole', () => {
  assert.deepEqual(usageTokens('numapol x PID (--range A[-B|+C] | --vma NAME) NODE [--y]'), ['numapol', 'x', 'PID', '(--range A[-B|+C] | --vma NAME)', 'NODE', '[--y]']);
});

test("each command's arguments, from its usage line", () => {
  assert.deepEqual(args('show'), [['PID', 'pid', false]]);
  assert.deepEqual(args('migrate'), [
    ['PID', 'pid', false],
    ['FROM', 'node', false],
    ['TO', 'node', false],
  ]);
  // NODE after a group of options; --to NODE of move is an option's value, not an argument.
  assert.deepEqual(args('home-node'), [
    ['PID', 'pid', false],
    ['NODE', 'node', false],
  ]);
  assert.deepEqual(args('move'), [['PID', 'pid', false]]);
  assert.deepEqual(args('set'), [
    ['PID', 'pid', false],
    ['POLICY', 'policy', false],
  ]);
  assert.deepEqual(args('apply'), [
    ['PID', 'pid', false],
    ['FILE|-', 'file', true],
  ]);
  assert.deepEqual(args('shm'), [['POLICY', 'policy', true]]);
  // Alternatives of one usage line: daemon's sub-command, completion's shells.
  assert.deepEqual(args('daemon'), [['status', 'words:status', true]]);
  assert.deepEqual(args('completion'), [['bash|zsh', 'words:bash,zsh', false]]);
  // [POLICY OPTIONS] names options, not an argument.
  assert.deepEqual(args('run'), [
    ['PROGRAM', 'command', false],
    ['ARGS', 'file', true],
  ]);
  assert.equal(spec('run').program, true);
  // numastat's words: processes by PID or by a pattern of their command line.
  assert.deepEqual(args('stat'), [['PID|PATTERN', 'pid', true]]);
  for (const none of ['hardware', 'journal', 'plan', 'top', 'advise']) assert.deepEqual(args(none), [], none);
});

test('option values: PIDs, nodes, files by the value name; nothing for others', () => {
  const hint = (cmd: string, long: string): string => spec(cmd).options.find((o) => o.long === long)!.hint.kind;
  assert.equal(hint('stat', 'process'), 'pid');
  assert.equal(hint('journal', 'pid'), 'pid');
  assert.equal(hint('stat', 'sort'), 'node');
  assert.equal(hint('run', 'membind'), 'node');
  assert.equal(hint('top', 'socket'), 'file');
  assert.equal(hint('daemon', 'config'), 'file');
  assert.equal(hint('top', 'interval'), 'none');
  assert.equal(hint('top', 'json'), 'none');
  assert.equal(hintOf('FILE|-').kind, 'file');
});

test('every command: its options are the runner\'s (its own and the common ones)', () => {
  for (const c of commands) {
    const s = commandSpec(c);
    for (const common of ['help', 'json', 'debug']) assert.ok(s.options.some((o) => o.long === common), `${c.name} --${common}`);
    assert.ok(s.brief.length > 0 && s.brief.length <= s.summary.length, c.name);
  }
  assert.equal(briefOf('Show the NUMA nodes: CPUs, memory.'), 'Show the NUMA nodes');
  assert.equal(briefOf('One thing. Another.'), 'One thing');
  assert.equal(briefOf('No stop'), 'No stop');
});

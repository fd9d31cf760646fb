// Shell completion: the bash script sourced in a real bash and its function called as bash would
// (COMP_WORDS, COMP_CWORD); the zsh script checked for syntax where zsh exists; and the CLI's
// `numapol completion` printing exactly what the build ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandSpec } from '../../../src/cli/docs/spec.js';
import { shellQuote } from '../../../src/cli/docs/completion-bash.js';
import { zshExplanation } from '../../../src/cli/docs/completion-zsh.js';
import { lines, numapol } from '../helpers.js';
import { commands, file, has, withFile } from './helpers.js';

const BASH = file('completion/numapol.bash');
const ZSH = file('completion/_numapol');
const nodes = readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n)).map((n) => n.slice(4));

/** What the completion function offers for `words` (the last one being completed), in `cwd`. */
function complete(words: readonly string[], cwd = process.cwd()): string[] {
  return withFile('numapol.bash', BASH, (script) => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source ${shellQuote(script)}; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _numapol; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', ...words], { encoding: 'utf8', cwd });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `${words.join(' ')}: ${r.stderr}`);
    return lines(r.stdout);
  });
}

test('bash: the script parses, and registers _numapol for numapol', () => {
  withFile('numapol.bash', BASH, (script) => {
    assert.equal(spawnSync('bash', ['-n', script]).status, 0);
    const r = spawnSync('bash', ['--norc', '-c', `source ${shellQuote(script)}; complete -p numapol`], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'complete -F _numapol numapol');
  });
});

test('bash: `numapol ` offers every command; `numapol -` the global options', () => {
  assert.deepEqual(complete(['numapol', '']).sort(), commands.map((c) => c.name).sort());
  assert.deepEqual(complete(['numapol', 'mi']).sort(), commands.map((c) => c.name).filter((n) => n.startsWith('mi')).sort());
  assert.deepEqual(complete(['numapol', 'sho']), ['show']);
  assert.deepEqual(complete(['numapol', '-']).sort(), ['--help', '--version', '-V', '-h']);
});

test('bash: `numapol show ` offers --json and the processes; `--j` only --json', () => {
  const offered = complete(['numapol', 'show', '']);
  assert.ok(offered.includes('--json'), offered.join(' '));
  assert.ok(offered.includes(String(process.pid)), 'this process');
  assert.deepEqual(complete(['numapol', 'show', '--j']), ['--json']);
  // After the PID: no more arguments, only options.
  assert.ok(!complete(['numapol', 'show', '1', '']).includes(String(process.pid)));
});

test("bash: every command's every option, for `numapol CMD --`", () => {
  for (const c of commands) {
    const offered = new Set(complete(['numapol', c.name, '--']));
    for (const o of commandSpec(c).options) assert.ok(offered.has(`--${o.long}`), `${c.name} --${o.long}`);
  }
});

test('bash: values by what they name: nodes, files, programs, policies, sub-commands, PIDs', () => {
  assert.deepEqual(complete(['numapol', 'migrate', '1', '']).filter((w) => !w.startsWith('-')).sort(), [...nodes, 'all'].sort());
  assert.deepEqual(complete(['numapol', 'stat', '--sort', '']).sort(), [...nodes, 'all'].sort());
  assert.deepEqual(complete(['numapol', 'completion', '']).filter((w) => !w.startsWith('-')), ['bash', 'zsh']);
  assert.deepEqual(complete(['numapol', 'daemon', '']).filter((w) => !w.startsWith('-')), ['status']);
  assert.ok(complete(['numapol', 'stat', '-p', '']).includes(String(process.pid)));
  assert.deepEqual(complete(['numapol', 'set', '1', 'inter']), ['interleave=']);
  // bash splits bind=0 at '=': the nodes after it.
  assert.deepEqual(complete(['numapol', 'set', '1', 'bind', '=', '']).sort(), [...nodes, 'all'].sort());
  // A value that names nothing to offer: nothing (not files).
  assert.deepEqual(complete(['numapol', 'top', '--interval', '']), []);
  assert.deepEqual(complete(['numapol', 'top', '--interval', '=', '']), []);
  const dir = mkdtempSync(join(tmpdir(), 'numapol-completion-'));
  try {
    writeFileSync(join(dir, 'daemon.sock'), '');
    writeFileSync(join(dir, 'rules.yaml'), '');
    assert.deepEqual(complete(['numapol', 'top', '--socket', 'd'], dir), ['daemon.sock']);
    assert.deepEqual(complete(['numapol', 'top', '--socket', '=', 'd'], dir), ['daemon.sock']);
    assert.deepEqual(complete(['numapol', 'daemon', '--check', 'r'], dir), ['rules.yaml']);
    // run: a program first, then that program's arguments (files), whatever they look like.
    assert.ok(complete(['numapol', 'run', '-m', '0', 'l'], dir).includes('ls'));
    assert.deepEqual(complete(['numapol', 'run', '-m', '0', 'ls', 'r'], dir), ['rules.yaml']);
    assert.deepEqual(complete(['numapol', 'run', '--', 'ls', '-m', 'r'], dir), ['rules.yaml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zsh: the script parses', { skip: has('zsh') ? false : 'zsh is not installed (not installed for this test on purpose)' }, () => {
  withFile('_numapol', ZSH, (script) => {
    const r = spawnSync('zsh', ['-n', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

test('zsh: a spec per option of every command, and every command in the menu', () => {
  assert.match(ZSH, /^#compdef numapol$/m);
  for (const c of commands) {
    assert.match(ZSH, new RegExp(`^ {4}'${c.name}:`, 'm'), c.name);
    assert.match(ZSH, new RegExp(`^ {4}'${c.name}'\\)$`, 'm'), c.name);
    for (const o of commandSpec(c).options) assert.ok(ZSH.includes(`--${o.long}${o.takesValue ? '=' : ''}`), `${c.name} --${o.long}`);
  }
  assert.equal(zshExplanation('a [heap] b\\c'), 'a [heap\\] b\\\\c');
});

test('numapol completion bash|zsh prints what the build ships', () => {
  const bash = numapol(['completion', 'bash']);
  assert.equal(bash.status, 0, bash.stderr);
  assert.equal(bash.stdout, BASH.endsWith('\n') ? BASH : `${BASH}\n`);
  const zsh = numapol(['completion', 'zsh']);
  assert.equal(zsh.status, 0, zsh.stderr);
  assert.equal(zsh.stdout, ZSH);
  for (const bad of [[], ['fish'], ['bash', 'zsh']]) {
    const r = numapol(['completion', ...bad]);
    assert.equal(r.status, 2, bad.join(' '));
    assert.equal(lines(r.stderr).length, 1);
  }
});

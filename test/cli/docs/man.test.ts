// The man pages: one per command with every option it takes, numapol(8) naming every command,
// numapol.yaml(5) every configuration key; all read by groff and man without a warning; and
// the package installs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandOptions } from '../../../src/cli/runner.js';
import { detailBlocks, lowerFirst, splitDetails } from '../../../src/cli/docs/man.js';
import { firstCodeBlock, tableUnder } from '../../../src/cli/docs/markdown.js';
import { configJsonSchema } from '../../../src/daemon/config/index.js';
import { numapol } from '../helpers.js';
import { commands, file, files, groffWarnings, has, man, pkg, ROOT, withFile } from './helpers.js';

const pages = files.filter((f) => f.path.startsWith('man/'));
const canRead = has('groff') && has('man') ? false : 'man or groff is not installed';

/** The page as man shows it, blanks squeezed. */
function shown(path: string): string {
  return withFile(path.split('/').pop()!, file(path), (p) => man(p).text);
}

test('the commands the CLI lists are the command modules the pages are made from', () => {
  const listed = numapol(['--help'])
    .stdout.split('\n')
    .filter((l) => /^ {2}[a-z]/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]!)
    .sort();
  assert.deepEqual(commands.map((c) => c.name).sort(), listed);
  assert.ok(listed.includes('top') && listed.includes('completion'));
});

test('a page per command, numapol.8 and numapol.yaml.5, nothing else', () => {
  assert.deepEqual(pages.map((p) => p.path).sort(), ['man/numapol.8', 'man/numapol.yaml.5', ...commands.map((c) => `man/numapol-${c.name}.8`)].sort());
});

test('every page reads without a warning from groff (-ww) and man --warnings', { skip: canRead }, () => {
  for (const p of pages) {
    withFile(p.path.split('/').pop()!, p.text, (path) => {
      assert.equal(groffWarnings(path), '', p.path);
      const r = man(path, true);
      assert.equal(r.status, 0, p.path);
      assert.equal(r.stderr, '', p.path);
    });
  }
});

test("each command's page: its name, its synopsis, every option it takes, its JSON fields", { skip: canRead }, () => {
  for (const c of commands) {
    const text = shown(`man/numapol-${c.name}.8`);
    assert.match(text, new RegExp(`^NAME\\n\\s+numapol-${c.name} - \\S`, 'm'), c.name);
    assert.match(text, new RegExp(`^SYNOPSIS\\n\\s+numapol ${c.name}\\b`, 'm'), c.name);
    for (const [long, o] of Object.entries(commandOptions(c))) {
      const flag = `--${long}${o.type === 'string' ? `=${o.valueName ?? 'VALUE'}` : ''}`;
      assert.match(text, new RegExp(`^\\s+${o.short ? `-${o.short}, ` : ''}${flag.replace(/[|.*+?()[\]{}^$\\]/g, '\\$&')}(\\s|$)`, 'm'), `${c.name}: ${flag}`);
    }
    // A details line that starts with JSON starts that section (daemon names its fields mid-text).
    if (/^JSON/m.test(c.details ?? '')) assert.match(text, /^JSON OUTPUT$/m, c.name);
    assert.match(text, /^EXIT STATUS$/m);
  }
});

test('numapol(8) names every command with its page', { skip: canRead }, () => {
  const text = shown('man/numapol.8');
  for (const c of commands) {
    assert.match(text, new RegExp(`^ {7}${c.name}(\\s|$)`, 'm'), c.name);
    assert.ok(text.includes(`numapol-${c.name}(8)`), c.name);
  }
  assert.ok(text.includes('numapol completion bash > /etc/bash_completion.d/numapol'));
});

test('numapol.yaml(5) names every top-level key, and the nested ones under their paths', { skip: canRead }, () => {
  const text = shown('man/numapol.yaml.5');
  const schema = configJsonSchema() as { properties: Record<string, unknown> };
  const keys = Object.keys(schema.properties);
  assert.ok(keys.length >= 10);
  const keysSection = text.slice(text.indexOf('\nKEYS\n'));
  for (const k of keys) assert.match(keysSection, new RegExp(`^ {7}${k}(\\s|$)`, 'm'), k);
  for (const sub of ['http', 'auto', 'metrics', 'rules[]', 'rules[].match', 'rules[].vmas', 'rules[].migrate']) {
    assert.match(text, new RegExp(`^ {3}${sub.replace(/[[\].]/g, '\\$&')}$`, 'm'), sub);
  }
  // docs/config.md's example and units come along.
  assert.ok(text.includes('name: spread-cache'));
  assert.match(text, /^UNITS$/m);
});

test('details become paragraphs, lists as written, and a JSON section', () => {
  const { about, json } = splitDetails('One line\nwrapped.\n  a  list\n  b  item\nExamples: numapol x\n          numapol y\nJSON fields: a, b.');
  assert.equal(json, 'JSON fields: a, b.');
  assert.deepEqual(detailBlocks(about), [
    { kind: 'text', text: 'One line wrapped.' },
    { kind: 'pre', lines: ['  a  list', '  b  item'] },
    { kind: 'pre', lines: ['Examples: numapol x', '          numapol y'] },
  ]);
  assert.equal(lowerFirst('Show the NUMA nodes'), 'show the NUMA nodes');
  assert.equal(lowerFirst('NUMA balancing'), 'NUMA balancing');
});

test("docs/config.md's first yaml block and a table under a heading", () => {
  const md = '# T\n\n```yaml\na: 1\n```\n\n## Units\n\n| k | w |\n|---|---|\n| `a\\|b` | c |\n\n## Next\n| x |\n';
  assert.equal(firstCodeBlock(md, 'yaml'), 'a: 1');
  assert.deepEqual(tableUnder(md, 'Units'), [['`a|b`', 'c']]);
  assert.deepEqual(tableUnder(md, 'Missing'), []);
});

test('the build writes these pages and scripts into dist/, and the package installs them', () => {
  assert.ok(pkg.scripts['build']!.endsWith(' && node scripts/gen-docs.mjs'));
  assert.ok(pkg.scripts['prepare']!.endsWith(' && node scripts/gen-docs.mjs'));
  const r = spawnSync(process.execPath, ['scripts/gen-docs.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const f of files) assert.equal(readFileSync(join(ROOT, 'dist', f.path), 'utf8'), f.text, f.path);
  assert.deepEqual(readdirSync(join(ROOT, 'dist/man')).sort(), pages.map((p) => p.path.slice(4)).sort());
  // npm links "man" into share/man/manN for global installs: every page, exactly.
  assert.deepEqual([...(pkg.man ?? [])].sort(), pages.map((p) => `dist/${p.path}`).sort());
  for (const m of pkg.man ?? []) assert.ok(existsSync(join(ROOT, m)), m);
  assert.ok(pkg.files.includes('dist/man') && pkg.files.includes('dist/completion'));
});

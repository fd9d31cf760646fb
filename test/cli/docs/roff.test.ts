// The roff writer: whatever text a description holds, the page is read without a warning and
// shows that text as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arg, asciiFallback, bold, escapeText, inlineMarkdown, Page, textLine } from '../../../src/cli/docs/roff.js';
import { groffWarnings, has, man, withFile } from './helpers.js';

const NASTY = [
  '.start of a line that looks like a request',
  "'so does this one",
  'a backslash \\fB that is not a font change, and \\\\ two',
  'options --json and -p, a minus -1',
  'quotes "double" and \'single\'',
  'UTF-8: 10⁶ bytes → node, é, “curly”',
  'tab\there and a control\x01character',
  '   leading blanks and trailing   ',
  'a [bracket] and (parens) and `backticks`',
];

test('escapes: backslash as \\e, minus as \\-, beyond ASCII as \\[uXXXX], controls as blanks', () => {
  assert.equal(escapeText('a\\b'), 'a\\eb');
  assert.equal(escapeText('--json'), '\\-\\-json');
  assert.equal(escapeText('→é'), '\\[u2192]\\[u00E9]');
  assert.equal(escapeText('a\tb\x01c'), 'a b c');
  assert.equal(textLine('.x'), '\\&.x');
  assert.equal(textLine("'x"), "\\&'x");
  assert.equal(textLine('  a   b  '), 'a b');
  assert.equal(arg('say "hi"'), '"say \\(dqhi\\(dq"');
  assert.equal(bold('-p'), '\\fB\\-p\\fR');
});

test('characters beyond ASCII get an ASCII stand-in for devices without their glyph', () => {
  assert.equal(asciiFallback('\u2192'), '->');
  assert.equal(asciiFallback('\u2026'), '...');
  assert.equal(asciiFallback('\u00E9'), 'e');
  assert.equal(asciiFallback('\u2076'), '^6');
  assert.equal(asciiFallback('\u4E2D'), '?');
  const page = new Page('T', '8', { source: 's', manual: 'm' }).paragraph('a \u2192 b \u2192 c').toString();
  assert.equal(page.split('\n').filter((l) => l === '.if !c\\[u2192] .char \\[u2192] \\->').length, 1, page);
});

test('inline markdown: `code` and **strong** bold, *emphasis* italic, links as their text', () => {
  assert.equal(inlineMarkdown('use `500ms` or **5s**, *not* [this](http://x)'), 'use \\fB500ms\\fR or \\fB5s\\fR, \\fInot\\fR this');
  assert.equal(inlineMarkdown('.5s'), '\\&.5s');
});

test('a page of awkward text: no warning from groff or man, and every word shows as written', { skip: has('groff') && has('man') ? false : 'man or groff is not installed' }, () => {
  const p = new Page('NASTY', '8', { source: 'numapol 0', manual: 'numapol manual' });
  p.section('name').raw('nasty \\- a test page');
  p.section('description');
  for (const t of NASTY) p.paragraph(t);
  p.section('options');
  for (const t of NASTY) p.tagged(bold(t), textLine(t));
  p.preformatted(NASTY);
  withFile('nasty.8', p.toString(), (path) => {
    assert.equal(groffWarnings(path), '');
    const r = man(path, true);
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    const shown = r.text.replace(/\s+/g, ' ');
    for (const t of NASTY) {
      const words = t.replace(/[\t\x01]/g, ' ').trim().split(/\s+/);
      for (const w of words) assert.ok(shown.includes(w), `${JSON.stringify(w)} missing from:\n${r.text}`);
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { DocumentPositions, formatPath } from '../../../src/daemon/config/positions.js';
import { marked } from './helpers.js';

test('formatPath writes keys with dots, indexes in brackets, other keys quoted', () => {
  assert.equal(formatPath([]), '(document)');
  assert.equal(formatPath(['rules', 0, 'policy']), 'rules[0].policy');
  assert.equal(formatPath(['rules', 2, 'vmas', 'file:/opt/*', 'move']), 'rules[2].vmas["file:/opt/*"].move');
  assert.equal(formatPath(['migrate-rate']), 'migrate-rate');
  assert.equal(formatPath(['a b']), '["a b"]');
});

function at(snippet: string, path: (string | number)[], anchor: 'value' | 'key' = 'value'): void {
  const m = marked(snippet);
  const lines = new LineCounter();
  const positions = new DocumentPositions(parseDocument(m.text, { lineCounter: lines }), lines);
  const p = positions.locate(path, anchor);
  assert.deepEqual([p.line, p.column], [m.line, m.column], `${JSON.stringify(snippet)} ${JSON.stringify(path)}`);
}

test('locate: values in block and flow maps and lists, keys, and the nearest map of a missing key', () => {
  at('a: 1\nb: »2\n', ['b']);
  at('a: 1\n»b: 2\n', ['b'], 'key');
  at('rules:\n  - name: x\n    match: { comm: »y }\n', ['rules', 0, 'match', 'comm']);
  at('rules:\n  - name: x\n  - »name: z\n    p: 1\n', ['rules', 1, 'missing']);
  at('x: [1, »2]\n', ['x', 1]);
  at('»a: 1\n', ['nothing']);
  // `key:` with no value points at the key.
  at('a: 1\n»b:\n', ['b']);
  // Through an alias, to where the aliased node is written.
  at('base: &b { p: »1 }\nuse: *b\n', ['use', 'p']);
});

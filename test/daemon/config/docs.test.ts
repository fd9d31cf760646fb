// docs/config.md is the configuration's reference: its examples must load, and it must name
// every key the schema has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema, parseConfigText } from '../../../src/daemon/config/index.js';
import { machineRoot } from './helpers.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../../docs/config.md', import.meta.url)), 'utf8');
const FOUR = machineRoot('sys-guest-4node');

test('every YAML example in docs/config.md loads (rule snippets inside a rules: list)', () => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 5, `${blocks.length} examples`);
  for (const block of blocks) {
    const text = block.startsWith('  - ') ? `rules:\n${block}` : block;
    assert.doesNotThrow(() => parseConfigText(text, 'docs/config.md', { root: FOUR }), text);
  }
});

function keys(s: unknown, out = new Set<string>()): Set<string> {
  if (typeof s !== 'object' || s === null) return out;
  const o = s as Record<string, unknown>;
  for (const [k, v] of Object.entries((o['properties'] ?? {}) as Record<string, unknown>)) {
    out.add(k);
    keys(v, out);
  }
  for (const key of ['items', 'additionalProperties']) keys(o[key], out);
  for (const key of ['anyOf', 'oneOf']) for (const sub of (o[key] ?? []) as unknown[]) keys(sub, out);
  return out;
}

test('docs/config.md names every key of the schema', () => {
  for (const k of keys(configJsonSchema())) assert.ok(DOC.includes(`\`${k}\``), `${k} is not in docs/config.md`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { configJsonSchema } from '../../../src/daemon/config/index.js';
import { configArb } from './arbitraries.js';
import { EXAMPLE_AUTO, EXAMPLE_RULES } from './examples.js';
import { tempDir } from './helpers.js';

const schema = configJsonSchema();
// strictRequired: ajv wants a oneOf branch's required keys declared in the branch itself; they are the rule's.
const validate = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true }).compile(schema);

const valid = (text: string): boolean => validate(parse(text) ?? {}) === true;

test('the JSON Schema is draft 2020-12 and ajv compiles it in strict mode (no unknown keywords)', () => {
  assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(typeof validate, 'function');
});

test('the JSON Schema accepts both example files', () => {
  assert.ok(valid(EXAMPLE_RULES), JSON.stringify(validate.errors));
  assert.ok(valid(EXAMPLE_AUTO), JSON.stringify(validate.errors));
});

test('the JSON Schema accepts every configuration the loader accepts (generated)', () => {
  fc.assert(
    fc.property(configArb, ({ raw }) => {
      assert.ok(validate(raw), JSON.stringify(validate.errors));
    }),
    { numRuns: 200 },
  );
});

test('the JSON Schema rejects unknown keys, bad enums, malformed units, and rules missing what they need', () => {
  const bad = [
    'mdoe: advise',
    'mode: sometimes',
    'rescan: fast',
    'migrate-rate: 200',
    'migrate-rate: 200mb/s',
    'journal: relative.db',
    'http: { listen: "127.0.0.1:9100" }',
    'auto: { threshold: 2 }',
    'rules:\n  - match: { comm: x }\n    policy: local',
    'rules:\n  - name: a\n    policy: local',
    'rules:\n  - name: a\n    match: { comm: x }\n    polcy: local',
    'rules:\n  - name: a\n    match: { comm: x }\n    cpus: { nodes: 1, cpus: 2 }',
    'rules:\n  - name: a\n    match: { comm: x }\n    vmas: { hep: { policy: local } }',
    'rules:\n  - name: a\n    match: { comm: x }\n    vmas: { heap: { move: true } }',
    'rules:\n  - name: a\n    match: {}\n    policy: local',
    'rules:\n  - name: a\n    shm: { file: /dev/shm/x }',
    'rules:\n  - name: "a b"\n    match: { comm: x }\n    policy: local',
  ];
  for (const text of bad) assert.equal(valid(text), false, text);
});

/** Every property schema under `s`, with its path. */
function properties(s: unknown, path: string, out: [string, Record<string, unknown>][] = []): [string, Record<string, unknown>][] {
  if (typeof s !== 'object' || s === null) return out;
  const o = s as Record<string, unknown>;
  for (const [k, v] of Object.entries((o['properties'] ?? {}) as Record<string, unknown>)) {
    out.push([`${path}.${k}`, v as Record<string, unknown>]);
    properties(v, `${path}.${k}`, out);
  }
  for (const [k, v] of Object.entries((o['patternProperties'] ?? {}) as Record<string, unknown>)) {
    out.push([`${path}[${k}]`, v as Record<string, unknown>]);
    properties(v, `${path}[${k}]`, out);
  }
  for (const key of ['items', 'additionalProperties']) if (typeof o[key] === 'object') properties(o[key], `${path}[]`, out);
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const sub of (o[key] ?? []) as unknown[]) properties(sub, path, out);
  return out;
}

test('every key in the JSON Schema has a description, and every map refuses keys it does not list', () => {
  const props = properties(schema, '');
  assert.ok(props.length > 50, `only ${props.length} keys found`);
  for (const [path, p] of props) assert.equal(typeof p['description'], 'string', `${path} has no description`);
  for (const path of ['', '.auto', '.metrics', '.http', '.rules[].match', '.rules[].vmas', '.rules[].cpus']) {
    const node = path === '' ? schema : props.find(([p]) => p === path)?.[1];
    assert.equal(node?.['additionalProperties'], false, path);
  }
});

test('scripts/config-schema.mjs writes the same schema from the built module', () => {
  const out = join(tempDir(), 'numapol.schema.json');
  const checkout = fileURLToPath(new URL('../../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/config-schema.mjs', out], { cwd: checkout, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), schema);
});

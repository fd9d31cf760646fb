// The CLI ships as one bundled file (scripts/bundle-cli.mjs): it must stand on its own, be
// runnable as the package's bin, and be built from the same compile as the modules beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const DIST_SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function compiledModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return compiledModules(p);
    return e.name.endsWith('.js') && p !== NUMAPOL_BIN ? [p] : [];
  });
}

test('the bin is an executable script that imports only Node built-ins and koffi', () => {
  const text = readFileSync(NUMAPOL_BIN, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'), 'starts with a node shebang');
  assert.notEqual(statSync(NUMAPOL_BIN).mode & 0o111, 0, 'has an execute bit');
  const specifiers = [...text.matchAll(/^\s*import\b[^'"]*from\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
  assert.ok(specifiers.length > 0, 'found its import statements');
  const foreign = specifiers.filter((s) => !s.startsWith('node:') && s !== 'koffi');
  assert.deepEqual(foreign, [], 'no import of our own modules: they are inside the bundle');
  assert.doesNotMatch(text, /\bimport\(\s*["']\.\.?\//, 'no dynamic import of a relative module');
});

test('the bin is not older than the compiled modules it was bundled from', () => {
  const bundled = statSync(NUMAPOL_BIN).mtimeMs;
  const newer = compiledModules(DIST_SRC).filter((p) => statSync(p).mtimeMs > bundled);
  assert.deepEqual(newer, [], 'compiled after the bundle was made: run npm run build (tsc, then the bundle)');
});

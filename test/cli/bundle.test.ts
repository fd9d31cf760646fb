// The CLI ships as a launcher (numapol.cjs) and one bundled file (numapol-body.cjs, made by
// scripts/bundle-cli.mjs): they must stand on their own, be runnable as the package's bin, and
// be built from the same compile as the modules beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NUMAPOL_BIN, NUMAPOL_BODY } from '../helpers/bin.js';

const DIST_SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function compiledModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return compiledModules(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

/** What a CommonJS file requires. */
function required(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
}

test('the bin is an executable script that requires only Node built-ins and its code cache helper', () => {
  const text = readFileSync(NUMAPOL_BIN, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'), 'starts with a node shebang');
  assert.notEqual(statSync(NUMAPOL_BIN).mode & 0o111, 0, 'has an execute bit');
  const foreign = required(NUMAPOL_BIN).filter((s) => !s.startsWith('node:') && s !== './code-cache.cjs');
  assert.deepEqual(foreign, []);
  assert.match(text, /numapol-body\.cjs/);
});

test("the bundle requires only Node built-ins and the package's own dependencies, and has no ES module syntax left", () => {
  const text = readFileSync(NUMAPOL_BODY, 'utf8');
  const specifiers = required(NUMAPOL_BODY);
  assert.ok(specifiers.length > 0, 'found its require calls');
  const deps = Object.keys((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  // A package's own subpath (pino/file) is that package.
  const declared = (s: string): boolean => deps.some((d) => s === d || s.startsWith(`${d}/`));
  const foreign = specifiers.filter((s) => !s.startsWith('node:') && !declared(s) && !s.startsWith('@koromix/koffi-'));
  assert.deepEqual(foreign, [], 'no require of our own modules: they are inside the bundle');
  assert.doesNotMatch(text, /^\s*import\b[^(]/m, 'no import statement');
  assert.doesNotMatch(text, /\bimport\.meta\b/, 'no import.meta (undefined in CommonJS)');
  assert.doesNotMatch(text, /^#!/, 'no shebang: the launcher wraps it in a function');
});

test('the bundle is not older than the compiled modules it was bundled from', () => {
  const bundled = statSync(NUMAPOL_BODY).mtimeMs;
  const newer = compiledModules(DIST_SRC).filter((p) => statSync(p).mtimeMs > bundled);
  assert.deepEqual(newer, [], 'compiled after the bundle was made: run npm run build (tsc, then the bundle)');
});

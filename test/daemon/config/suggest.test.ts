import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closest, editDistance, unknownKeyProblem } from '../../../src/daemon/config/suggest.js';
import { ConfigError, parseConfigText } from '../../../src/daemon/config/index.js';
import { machineRoot } from './helpers.js';

const TOP = ['mode', 'rescan', 'journal', 'migrate-rate', 'stop-rate', 'restore-on-exit', 'socket', 'http', 'log-level', 'auto', 'metrics', 'rules'];

test('a misspelt key is matched to the key meant: typos, swaps, other spellings of the same words', () => {
  assert.equal(closest('mdoe', TOP), 'mode');
  assert.equal(closest('rescna', TOP), 'rescan');
  assert.equal(closest('rule', TOP), 'rules');
  assert.equal(closest('journl', TOP), 'journal');
  assert.equal(closest('migrateRate', TOP), 'migrate-rate');
  assert.equal(closest('restore_on_exit', TOP), 'restore-on-exit');
  assert.equal(closest('LogLevel', TOP), 'log-level');
  assert.equal(closest('stoprate', TOP), 'stop-rate');
});

test('a key close to none is not given a suggestion, and the problem lists the keys', () => {
  assert.equal(closest('colour', TOP), undefined);
  assert.equal(closest('x', TOP), undefined);
  assert.equal(unknownKeyProblem('colour', ['a', 'b']), 'unknown key "colour": expected one of a, b');
  assert.equal(unknownKeyProblem('mdoe', TOP), 'unknown key "mdoe": did you mean "mode"?');
});

test('property: edit distance is 0 only for equal words, symmetric, at least the length difference, 1 for one typo', () => {
  const w = fc.string({ maxLength: 8 });
  fc.assert(
    fc.property(w, w, (a, b) => {
      assert.equal(editDistance(a, b) === 0, a === b);
      assert.equal(editDistance(a, b), editDistance(b, a));
      assert.ok(editDistance(a, b) >= Math.abs(a.length - b.length));
      assert.ok(editDistance(a, b) <= Math.max(a.length, b.length));
    }),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (s, i, ch) => {
      const at = i % s.length;
      const changed = s.slice(0, at) + ch + s.slice(at + 1);
      assert.ok(editDistance(s, changed) <= 1);
    }),
  );
});

test('property: a known key with one letter dropped or two neighbours swapped is suggested back', () => {
  const ROOT = machineRoot('sys-guest-4node');
  const typo = fc.constantFrom(...TOP.filter((k) => k.length >= 4)).chain((key) =>
    fc.tuple(fc.constant(key), fc.integer({ min: 0, max: key.length - 2 }), fc.boolean()).map(([k, i, swap]) => ({
      key: k,
      typo: swap ? k.slice(0, i) + k[i + 1] + k[i] + k.slice(i + 2) : k.slice(0, i) + k.slice(i + 1),
    })),
  ).filter(({ key, typo }) => typo !== key && !TOP.includes(typo));
  fc.assert(
    fc.property(typo, ({ key, typo }) => {
      assert.throws(
        () => parseConfigText(`${typo}: 1\n`, 'f', { root: ROOT }),
        (e: unknown) => e instanceof ConfigError && e.problem === `unknown key ${JSON.stringify(typo)}: did you mean ${JSON.stringify(key)}?` && e.line === 1 && e.column === 1,
      );
    }),
    { numRuns: 60 },
  );
});

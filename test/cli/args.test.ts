import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import { intArg, noExtraArgs, optInt, optList, optString, pidArg } from '../../src/cli/args.js';

test('pidArg: a positive decimal (or 0x) number; missing, zero or text is a usage error', () => {
  assert.equal(pidArg(['42'], 'show'), 42);
  assert.equal(pidArg(['1', '7'], 'x', 1), 7);
  assert.equal(pidArg(['0x10'], 'show'), 16);
  assert.throws(() => pidArg([], 'show'), (e: unknown) => e instanceof UsageError && e.message === 'show: missing PID');
  for (const bad of ['0', '-1', 'abc', '1.5', '', '99999999999999999999']) assert.throws(() => pidArg([bad], 'show'), UsageError, bad);
});

test('intArg / optInt: minimums and messages', () => {
  assert.equal(intArg('0', 'N'), 0);
  assert.throws(() => intArg('0', 'N', 1), /N must be at least 1, not '0'/);
  assert.throws(() => intArg('x', 'N'), /N must be a number, not 'x'/);
  assert.equal(optInt({ n: '5' }, 'n'), 5);
  assert.equal(optInt({}, 'n'), undefined);
  assert.throws(() => optInt({ 'min-pages': 'many' }, 'min-pages'), /--min-pages must be a number/);
});

test('optString / optList / noExtraArgs', () => {
  assert.equal(optString({ a: 'x' }, 'a'), 'x');
  assert.equal(optString({ a: true }, 'a'), undefined);
  assert.deepEqual(optList({ p: ['1', '2'] }, 'p'), ['1', '2']);
  assert.deepEqual(optList({ p: '1' }, 'p'), ['1']);
  assert.deepEqual(optList({}, 'p'), []);
  noExtraArgs(['1'], 1, 'show');
  assert.throws(() => noExtraArgs(['1', '2'], 1, 'show'), (e: unknown) => e instanceof UsageError && e.message === "show: unexpected argument '2'");
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getoptLong, isProblem, type GetoptOption } from '../../src/cli/getopt.js';

// numactl's own table, in its order (the order ambiguity messages list candidates in).
const NUMACTL: GetoptOption[] = [
  ['all', 'a', 'none'], ['interleave', 'i', 'required'], ['preferred', 'p', 'required'], ['preferred-many', 'P', 'required'],
  ['cpubind', 'c', 'required'], ['cpunodebind', 'N', 'required'], ['physcpubind', 'C', 'required'], ['membind', 'm', 'required'],
  ['show', 's', 'none'], ['localalloc', 'l', 'none'], ['balancing', 'b', 'none'], ['hardware', 'H', 'none'], ['shm', 'S', 'required'],
  ['file', 'f', 'required'], ['offset', 'o', 'required'], ['length', 'L', 'required'], ['strict', 't', 'none'], ['shmmode', 'M', 'required'],
  ['dump', 'd', 'none'], ['dump-nodes', 'D', 'none'], ['shmid', 'I', 'required'], ['huge', 'u', 'none'], ['touch', 'T', 'none'], ['verify', 'V', 'none'],
].map(([name, short, arg]) => ({ name: name!, short: short!, arg: arg as GetoptOption['arg'] }));

const numactl = (argv: string[]) => getoptLong(argv, NUMACTL, { stopAtOperand: true, env: {} });

test('long options: exact, unique prefix, =value or the next word; options stop at the program', () => {
  assert.deepEqual(numactl(['--inter=all', '--cpun', '0', '-l', 'ls', '-l']), {
    events: [{ name: 'interleave', value: 'all' }, { name: 'cpunodebind', value: '0' }, { name: 'localalloc' }],
    operands: [],
    rest: ['ls', '-l'],
  });
  // The next word is the value whatever it looks like.
  assert.deepEqual(numactl(['-i', '-1', '--membind', '--x']).events, [{ name: 'interleave', value: '-1' }, { name: 'membind', value: '--x' }]);
  assert.deepEqual(numactl(['--', '-s']).rest, ['-s']);
  assert.deepEqual(numactl(['-', 'x']).rest, ['-', 'x']);
});

test('short options bundle and take attached values', () => {
  assert.deepEqual(numactl(['-ali0,1', '-sH']).events, [{ name: 'all' }, { name: 'localalloc' }, { name: 'interleave', value: '0,1' }, { name: 'show' }, { name: 'hardware' }]);
});

test("glibc's complaints, in its words, and parsing stops there", () => {
  const problem = (argv: string[]): string | undefined => {
    const e = numactl(argv).events.at(-1);
    return e && isProblem(e) ? e.problem : undefined;
  };
  assert.equal(problem(['--xyz=3', '-s']), "unrecognized option '--xyz=3'");
  assert.equal(problem(['--p']), "option '--p' is ambiguous; possibilities: '--preferred' '--preferred-many' '--physcpubind'");
  assert.equal(problem(['--sh=x']), "option '--sh=x' is ambiguous; possibilities: '--show' '--shm' '--shmmode' '--shmid'");
  assert.equal(problem(['--show=1']), "option '--show' doesn't allow an argument");
  assert.equal(problem(['--interleave']), "option '--interleave' requires an argument");
  assert.equal(problem(['-h']), "invalid option -- 'h'");
  assert.equal(problem(['-i']), "option requires an argument -- 'i'");
  assert.equal(numactl(['-s', '--xyz', '-l']).events.length, 2);
});

test('every unique prefix of a long name is that option', () => {
  fc.assert(
    fc.property(fc.constantFrom(...NUMACTL), fc.nat(), (o, cut) => {
      const prefix = o.name.slice(0, 1 + (cut % o.name.length));
      const candidates = NUMACTL.filter((x) => x.name.startsWith(prefix));
      // An exact name wins over the longer names it starts (--dump, not --dump-nodes).
      const want = NUMACTL.find((x) => x.name === prefix) ?? (candidates.length === 1 ? candidates[0] : undefined);
      const e = numactl([`--${prefix}${o.arg === 'none' ? '' : '=v'}`]).events[0]!;
      if (want === undefined) assert.ok(isProblem(e) && e.problem.includes('is ambiguous'));
      else if (want.arg === o.arg) assert.deepEqual(e, o.arg === 'none' ? { name: want.name } : { name: want.name, value: 'v' });
    }),
  );
});

test('permuting: operands anywhere (numastat), POSIXLY_CORRECT stops at the first; optional values attach only', () => {
  const opts: GetoptOption[] = [
    { name: 'c', short: 'c', arg: 'none', shortOnly: true },
    { name: 's', short: 's', arg: 'optional', shortOnly: true },
    { name: 'p', short: 'p', arg: 'required', shortOnly: true },
    { name: 'help', short: '?', arg: 'none' },
  ];
  const r = getoptLong(['12', '-s2', 'x', '-s', '3', '-cp', '4'], opts, { stopAtOperand: false, env: {} });
  assert.deepEqual(r.events, [{ name: 's', value: '2' }, { name: 's' }, { name: 'c' }, { name: 'p', value: '4' }]);
  assert.deepEqual(r.operands, ['12', 'x', '3']);
  assert.deepEqual(getoptLong(['12', '-c'], opts, { stopAtOperand: false, env: { POSIXLY_CORRECT: '1' } }).operands, ['12', '-c']);
  // Short-only letters have no long form; --help abbreviates.
  assert.deepEqual(getoptLong(['--c'], opts, { stopAtOperand: false, env: {} }).events, [{ problem: "unrecognized option '--c'" }]);
  assert.deepEqual(getoptLong(['--he', '--', '-c'], opts, { stopAtOperand: false, env: {} }), { events: [{ name: 'help' }], operands: ['-c'], rest: [] });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumapolError, ParseError } from '../../src/errors.js';
import { mempolicy, type Mempolicy } from '../../src/policy/model.js';
import type { NodeContext } from '../../src/policy/nodelist.js';
import { formatPolicy } from '../../src/policy/format.js';
import { parsePolicy, scanPolicy } from '../../src/policy/parse.js';
import { shapeProblem } from '../../src/policy/validate.js';
import { policyShapedText, policyishText, withoutHome, fourNodes, parseError, sparse } from './arbitraries.js';


describe('parsePolicy: the kernel numa_maps form', () => {
  const examples: [string, Mempolicy][] = [
    ['default', mempolicy('default')],
    ['local', mempolicy('local')],
    ['prefer:1', mempolicy('preferred', [1])],
    ['bind:0-1', mempolicy('bind', [0, 1])],
    ['interleave:0-3', mempolicy('interleave', [0, 1, 2, 3])],
    ['prefer (many):0,2', mempolicy('preferred_many', [0, 2])],
    ['weighted interleave:0-3', mempolicy('weighted_interleave', [0, 1, 2, 3])],
    ['bind=static:0-1', mempolicy('bind', [0, 1], { remap: 'static' })],
    ['interleave=relative|balancing:0-3', mempolicy('interleave', [0, 1, 2, 3], { remap: 'relative', balancing: true })],
    ['bind=static|balancing:0-1,5', mempolicy('bind', [0, 1, 5], { remap: 'static', balancing: true })],
    ['bind=balancing:0-3', mempolicy('bind', [0, 1, 2, 3], { balancing: true })],
    ['prefer=relative:1', mempolicy('preferred', [1], { remap: 'relative' })],
    ['prefer (many)=balancing:0-1', mempolicy('preferred_many', [0, 1], { balancing: true })],
  ];
  for (const [text, policy] of examples) {
    it(`reads ${JSON.stringify(text)} and formats it back byte for byte`, () => {
      const parsed = parsePolicy(text);
      assert.deepEqual(parsed, policy);
      assert.equal(formatPolicy(parsed), text);
    });
  }

  it('reads "bind=:0-3", how 5.12-6.10 kernels print balancing alone', () => {
    assert.deepEqual(parsePolicy('bind=:0-3'), mempolicy('bind', [0, 1, 2, 3], { balancing: true }));
  });

  it('reads the tmpfs mpol= shortcuts: prefer alone is local, interleave alone is every node', () => {
    assert.deepEqual(parsePolicy('prefer'), mempolicy('local'));
    assert.deepEqual(parsePolicy('interleave', sparse), mempolicy('interleave', [2, 4, 6]));
    assert.match(parseError(() => parsePolicy('interleave')).message, /needs the machine's node list/);
  });
});

describe('parsePolicy: the seeds form and user spellings', () => {
  it('reads the seeds examples', () => {
    assert.deepEqual(parsePolicy('default'), mempolicy('default'));
    assert.deepEqual(parsePolicy('prefer=1'), mempolicy('preferred', [1]));
    assert.deepEqual(parsePolicy('interleave={2,3}'), mempolicy('interleave', [2, 3]));
    assert.deepEqual(parsePolicy('interleave=2,3'), mempolicy('interleave', [2, 3]));
    assert.deepEqual(parsePolicy('bind=0,2-5'), mempolicy('bind', [0, 2, 3, 4, 5]));
  });

  it('refuses the seeds zone notation with the reason', () => {
    const e = parseError(() => parsePolicy('bind=3/normal'));
    assert.equal(e.offset, 6);
    assert.match(e.message, /per-zone policies no longer exist/);
    assert.match(parseError(() => parsePolicy('bind=0/dma,1/high')).message, /per-zone/);
  });

  it('reads aliases, either separator, braces and any letter case', () => {
    const cases: [string, Mempolicy][] = [
      ['preferred=1', mempolicy('preferred', [1])],
      ['membind:0x3', mempolicy('bind', [3])],
      ['localalloc', mempolicy('local')],
      ['preferred-many=0,2', mempolicy('preferred_many', [0, 2])],
      ['preferred_many:{0,2}', mempolicy('preferred_many', [0, 2])],
      ['weighted-interleave=0-1', mempolicy('weighted_interleave', [0, 1])],
      ['weighted_interleave:0-1', mempolicy('weighted_interleave', [0, 1])],
      ['BIND=Static:1', mempolicy('bind', [1], { remap: 'static' })],
      ['Prefer (Many)=balancing|relative:1', mempolicy('preferred_many', [1], { remap: 'relative', balancing: true })],
      ['  bind:1  ', mempolicy('bind', [1])],
      ['bind:0-3 home=2', mempolicy('bind', [0, 1, 2, 3], {}, 2)],
    ];
    for (const [text, policy] of cases) assert.deepEqual(parsePolicy(text), policy, text);
  });

  it('resolves all, ! and + against the machine context', () => {
    assert.deepEqual(parsePolicy('interleave=all', sparse), mempolicy('interleave', [2, 4, 6]));
    assert.deepEqual(parsePolicy('bind:!2', sparse), mempolicy('bind', [0, 4, 6]));
    assert.deepEqual(parsePolicy('preferred-many=+0-1', sparse), mempolicy('preferred_many', [2, 4]));
  });

  it('checks nodes against the machine, except relative ones, which the kernel folds', () => {
    assert.throws(
      () => parsePolicy('bind:0-1,7', fourNodes),
      (e: unknown) =>
        e instanceof NumapolError && e.code === 'ENODE' && e.usage && e.message === 'node 7 does not exist: this machine has nodes 0-3',
    );
    assert.deepEqual(parsePolicy('bind=relative:7', fourNodes), mempolicy('bind', [7], { remap: 'relative' }));
    assert.throws(() => parsePolicy('bind:1 home=9', fourNodes), /node 9 does not exist/);
  });
});

describe('parsePolicy: errors name what is wrong and where', () => {
  const cases: [string, number, RegExp][] = [
    ['', 0, /empty: expected a mode/],
    ['   ', 3, /empty/],
    ['foo:1', 0, /unknown mode "foo"/],
    ['bind', 4, /bind needs at least one node/],
    ['bind:', 5, /expected a node list after ":"/],
    ['bind 0-3', 5, /joined to the mode by ":" or "="/],
    ['prefer:0,1', 7, /preferred takes exactly one node, not 2 \(0-1\): use preferred_many/],
    ['local:1', 6, /local takes no nodes/],
    ['default=0', 8, /default takes no nodes/],
    ['bind=stat:1', 5, /unknown flag "stat"/],
    ['bind=static|:1', 12, /unknown flag ":"/],
    ['bind=static|relative:1', 12, /static and relative exclude each other/],
    ['bind=static|static:1', 12, /given twice/],
    ['bind:1:2', 6, /one node list/],
    ['bind:1=2', 6, /unexpected "="/],
    ['bind:1 nodes', 7, /unexpected "nodes": expected the end or "home=N"/],
    ['bind:1 home=1-2', 12, /a home node is one node/],
    ['bind:{1', 7, /expected "}"/],
    ['bind:1\nlocal', 7, /unexpected "local"/],
    ['prefer (few):1', 7, /unexpected "\(few\):1"/],
    ['bind:static:0-1', 5, /"static" is a flag, not a node: flags go between "=" and ":", e.g. bind=static:0-1/],
    ['interleave0-3', 10, /unexpected "0" after mode "interleave": expected ":" or "=" and then nodes/],
  ];
  for (const [text, offset, problem] of cases) {
    it(`${JSON.stringify(text)}: character ${offset + 1}, ${problem.source}`, () => {
      const e = parseError(() => parsePolicy(text));
      assert.match(e.message, problem);
      assert.equal(e.offset, offset, e.message);
      assert.ok(e.message.startsWith(`bad mempolicy ${JSON.stringify(text)} at character ${offset + 1}: `), e.message);
      assert.ok(!e.message.includes('\n'), e.message);
    });
  }
});

describe('parsePolicy: fuzz', () => {
  /** Either a policy of the model's shape that round-trips, or a one-line numapol error. */
  function parsesOrFailsCleanly(text: string, ctx?: NodeContext): void {
    let policy: Mempolicy;
    try {
      policy = parsePolicy(text, ctx);
    } catch (e) {
      assert.ok(e instanceof NumapolError, `not a NumapolError for ${JSON.stringify(text)}: ${String(e)}`);
      assert.ok(!/[\n\r]/.test(e.message), `multi-line message: ${JSON.stringify(e.message)}`);
      assert.ok(e.usage);
      if (e instanceof ParseError) {
        assert.ok(e.offset >= 0 && e.offset <= text.length, `offset ${e.offset} outside ${JSON.stringify(text)}`);
      } else {
        assert.equal(e.code, 'ENODE');
      }
      return;
    }
    assert.equal(shapeProblem(policy), undefined);
    assert.deepEqual(parsePolicy(formatPolicy(policy, { style: 'seed' })), policy);
    assert.deepEqual(parsePolicy(formatPolicy(policy)), withoutHome(policy));
    if (ctx && policy.flags.remap !== 'relative') {
      for (const n of policy.nodes) assert.ok(ctx.nodes.includes(n), `node ${n} is not on the machine`);
    }
  }

  it('any string parses or gives a one-line error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => parsesOrFailsCleanly(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => parsesOrFailsCleanly(s, sparse)), {
      numRuns: 300,
    });
  });

  it('policy-shaped strings parse or give a one-line error, with and without a context', () => {
    fc.assert(
      fc.property(policyishText, fc.constantFrom(undefined, fourNodes, sparse), (s, ctx) => parsesOrFailsCleanly(s, ctx)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(policyShapedText, fc.constantFrom(undefined, fourNodes, sparse), (s, ctx) => parsesOrFailsCleanly(s, ctx)),
      { numRuns: 5000 },
    );
  });
});

describe('scanPolicy', () => {
  it('reads the policy field of a numa_maps line and stops before the next field', () => {
    const line = '7f3a2c000000 prefer (many):0,2 anon=3 dirty=3 N0=1 N2=2 kernelpagesize_kB=4';
    const start = line.indexOf(' ') + 1;
    const { policy, end } = scanPolicy(line, start);
    assert.deepEqual(policy, mempolicy('preferred_many', [0, 2]));
    assert.equal(line.slice(end), ' anon=3 dirty=3 N0=1 N2=2 kernelpagesize_kB=4');

    const heap = '55d0c8a1e000 weighted interleave=static:0-3 heap anon=1';
    const scanned = scanPolicy(heap, 13);
    assert.deepEqual(scanned.policy, mempolicy('weighted_interleave', [0, 1, 2, 3], { remap: 'static' }));
    assert.equal(heap.slice(scanned.end), ' heap anon=1');

    const plain = '00400000 default file=/usr/bin/cat mapped=5 N0=5 kernelpagesize_kB=4';
    assert.equal(plain.slice(scanPolicy(plain, 9).end), ' file=/usr/bin/cat mapped=5 N0=5 kernelpagesize_kB=4');
  });

  it('reads the seeds 2005 numa_maps policy field', () => {
    const line = '2000000000038000 prefer=1 MaxRef=1 Pages=2 Mapped=2 Anon=2 N1=2';
    const { policy, end } = scanPolicy(line, 17);
    assert.deepEqual(policy, mempolicy('preferred', [1]));
    assert.equal(line.slice(end, end + 8), ' MaxRef=');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NumapolError } from '../../src/errors.js';
import { MAX_NUMNODES, formatNodeList, parseNodeList } from '../../src/policy/nodelist.js';
import { nodes, fourNodes, parseError, sparse } from './arbitraries.js';


describe('parseNodeList', () => {
  it('reads numbers, ranges and lists in any order, sorted and without duplicates', () => {
    assert.deepEqual(parseNodeList('5,0-3,2'), [0, 1, 2, 3, 5]);
    assert.deepEqual(parseNodeList('7'), [7]);
    assert.deepEqual(parseNodeList('{2,3}'), [2, 3]);
  });

  it('reads numbers as strtoul base 0 does for hex: 0x3 is node 3', () => {
    assert.deepEqual(parseNodeList('0x3'), [3]);
    assert.deepEqual(parseNodeList('0x0-0XA'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses leading zeros, which numactl reads as octal and the kernel as decimal', () => {
    const e = parseError(() => parseNodeList('1,010'));
    assert.equal(e.offset, 2);
    assert.match(e.message, /leading zero/);
  });

  it('`all` is every allowed node of the cpuset', () => {
    assert.deepEqual(parseNodeList('all', fourNodes), [0, 1, 2, 3]);
    assert.deepEqual(parseNodeList('all', sparse), [2, 4, 6]);
  });

  it('`!` inverts against the real node ids, also when they are sparse', () => {
    assert.deepEqual(parseNodeList('!1', fourNodes), [0, 2, 3]);
    // numactl would flip 0..3 and give 0,1,3: nodes 1 and 3 do not exist here.
    assert.deepEqual(parseNodeList('!2', sparse), [0, 4, 6]);
    assert.deepEqual(parseNodeList('!all', sparse), [0]);
  });

  it('`+` counts within the cpuset: +N is the N-th allowed node', () => {
    assert.deepEqual(parseNodeList('+0', sparse), [2]);
    assert.deepEqual(parseNodeList('+1-2', sparse), [4, 6]);
    assert.deepEqual(parseNodeList('!+0', sparse), [0, 4, 6]);
    const e = parseError(() => parseNodeList('+0-3', sparse));
    assert.match(e.message, /relative node \+3 does not exist: the cpuset allows only 3 \(2,4,6\)/);
  });

  it('without a machine context, `all`, `!` and `+` say a context is needed', () => {
    for (const text of ['all', '!1', '+0']) {
      const e = parseError(() => parseNodeList(text));
      assert.equal(e.offset, 0);
      assert.match(e.message, /no machine context/);
    }
  });

  it('with a context, nodes must exist on the machine', () => {
    assert.throws(
      () => parseNodeList('1,7', fourNodes),
      (e: unknown) => e instanceof NumapolError && e.code === 'ENODE' && e.message === 'node 7 does not exist: this machine has nodes 0-3',
    );
  });

  it('names what is wrong and where', () => {
    const cases: [string, number, RegExp][] = [
      ['', 0, /empty/],
      ['3-1', 0, /runs backwards: write 1-3/],
      ['1,', 2, /expected a node number, found the end/],
      ['1,,2', 2, /expected a node number, found ","/],
      ['3/normal', 1, /per-zone policies no longer exist/],
      ['0x', 0, /hex digits/],
      ['1x', 1, /unexpected "x"/],
      ['nodes', 0, /unknown word "nodes"/],
      ['all,1', 3, /cannot be combined/],
      [`${MAX_NUMNODES}`, 0, /beyond the kernel's limit of 1024 nodes/],
      ['0-4294967295', 2, /beyond the kernel's limit/],
      ['{1,2', 4, /expected "}"/],
      ['1 2', 2, /unexpected "2"/],
    ];
    for (const [text, offset, problem] of cases) {
      const e = parseError(() => parseNodeList(text, fourNodes));
      assert.equal(e.offset, offset, `offset for ${JSON.stringify(text)}: ${e.message}`);
      assert.match(e.message, problem);
      assert.ok(e.message.includes(`at character ${offset + 1}`), e.message);
    }
    assert.match(parseError(() => parseNodeList('!all', fourNodes)).message, /leaves no nodes/);
  });

  it('reads back what formatNodeList writes, in both pair styles', () => {
    fc.assert(
      fc.property(nodes(1, 40), fc.constantFrom('range' as const, 'list' as const), (set, pairs) => {
        assert.deepEqual(parseNodeList(formatNodeList(set, { pairs })), set);
      }),
    );
  });
});

describe('formatNodeList', () => {
  it('writes the kernel range form (%*pbl): runs of two or more are ranges', () => {
    assert.equal(formatNodeList([0, 1, 2, 3, 5]), '0-3,5');
    assert.equal(formatNodeList([2, 3]), '2-3');
    assert.equal(formatNodeList([5, 0, 2, 3, 4]), '0,2-5');
    assert.equal(formatNodeList([]), '');
  });

  it('lists adjacent pairs in the seeds style', () => {
    assert.equal(formatNodeList([2, 3], { pairs: 'list' }), '2,3');
    assert.equal(formatNodeList([0, 2, 3, 4, 5], { pairs: 'list' }), '0,2-5');
  });
});

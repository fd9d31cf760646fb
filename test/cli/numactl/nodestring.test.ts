import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseLibnumaCpus, parseLibnumaNodes, strtoul, type MaskSpace } from '../../../src/cli/numactl/nodestring.js';

const FOUR: MaskSpace = { allowed: [0, 1, 2, 3], maskBits: 1024, flipCount: 4 };
const nodes = (s: string, space = FOUR) => parseLibnumaNodes(s, space);

test("strtoul: C's bases, signs and where the number ends", () => {
  assert.deepEqual(strtoul('0x1f,', 0), { value: 31n, end: 4 });
  assert.deepEqual(strtoul('010', 0), { value: 8n, end: 3 });
  assert.deepEqual(strtoul(' 7x', 0), { value: 7n, end: 2 });
  assert.deepEqual(strtoul('0x', 0), { value: 0n, end: 1 });
  assert.deepEqual(strtoul('-1', 0), { value: (1n << 64n) - 1n, end: 2 });
  assert.deepEqual(strtoul('x', 0), { value: 0n, end: 0 });
});

test('node lists as libnuma reads them: ranges, all, !, +, and what it leaves alone', () => {
  assert.deepEqual(nodes('0,2-3'), { ok: true, set: [0, 2, 3] });
  assert.deepEqual(nodes('all'), { ok: true, set: [0, 1, 2, 3] });
  assert.deepEqual(nodes('!1'), { ok: true, set: [0, 2, 3] });
  assert.deepEqual(nodes('+1-2', { ...FOUR, allowed: [0, 2, 3] }), { ok: true, set: [2, 3] });
  assert.deepEqual(nodes('3-1'), { ok: true, set: [3] });
  assert.deepEqual(nodes('0x3'), { ok: true, set: [3] });
  assert.deepEqual(nodes(''), { ok: true, set: [] });
  // `!` flips bits 0..(nodes with memory - 1), not the node ids: on a machine with nodes 0 and 2,
  // libnuma reads !2 as 0-2 (node 2 is past the bits it flips).
  assert.deepEqual(nodes('!2', { allowed: [0, 2], maskBits: 64, flipCount: 2 }), { ok: true, set: [0, 1, 2] });
});

test("libnuma's refusals and warnings", () => {
  assert.deepEqual(nodes('7'), { ok: false, warning: 'node argument 7 is out of range\n' });
  assert.deepEqual(nodes('010'), { ok: false, warning: 'node argument 8 is out of range\n' });
  assert.deepEqual(nodes('-1'), { ok: false, warning: 'node argument -1 is out of range\n' });
  assert.deepEqual(nodes('x'), { ok: false, warning: "unparseable node description `x'\n" });
  assert.deepEqual(nodes('0,all'), { ok: true, set: [0, 1, 2, 3] });
  assert.deepEqual(nodes('all,0'), { ok: false, warning: "unparseable node description `all,0'\n" });
  assert.deepEqual(nodes('0-'), { ok: false, warning: 'missing node argument \n' });
  assert.deepEqual(nodes('0-9'), { ok: false, warning: 'node argument 9 out of range\n' });
  assert.deepEqual(nodes('1x'), { ok: false });
  assert.deepEqual(nodes('+5'), { ok: false, warning: 'node argument 1024 is out of range\n' });
  const cpus = { allowed: [0, 1], maskBits: 64, flipCount: 2 };
  assert.deepEqual(parseLibnumaCpus('0,5-7', cpus), { ok: false, warning: 'cpu argument 5-7 is out of range\n' });
  assert.deepEqual(parseLibnumaCpus('0-7', cpus), { ok: false, warning: 'cpu argument 7 out of range\n' });
  assert.deepEqual(parseLibnumaCpus('!0', cpus), { ok: true, set: [1] });
});

test('any list of allowed nodes and ranges reads back as the nodes it names', () => {
  const allowed = [0, 1, 2, 3, 5, 8];
  const space = { allowed, maskBits: 64, flipCount: 6 };
  const item = fc.tuple(fc.constantFrom(...allowed), fc.constantFrom(...allowed)).map(([a, b]) => (a === b ? { text: `${a}`, set: [a] } : { text: `${Math.min(a, b)}-${Math.max(a, b)}`, set: allowed.filter((n) => n >= Math.min(a, b) && n <= Math.max(a, b)) }));
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 5 }), (items) => {
      const want = [...new Set(items.flatMap((i) => i.set))].sort((x, y) => x - y);
      assert.deepEqual(parseLibnumaNodes(items.map((i) => i.text).join(','), space), { ok: true, set: want });
    }),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumapolError, UsageError } from '../../src/errors.js';
import { parseCpuList, planRun, resolveRunCpus } from '../../src/ops/run.js';
import { mempolicy } from '../../src/policy/index.js';
import { fixture } from '../fixtures/fixture-path.js';
import { expand, readFixture } from './helpers.js';

const four = fixture('sys-guest-4node');
const sparse = fixture('sys-sparse');
const cpusOf = (tree: string, node: number): number[] => expand(readFixture(tree, `sys/devices/system/node/node${node}/cpulist`));

test('parseCpuList: ranges and lists; bad text is a usage error', () => {
  assert.deepEqual(parseCpuList('0-3,6'), [0, 1, 2, 3, 6]);
  assert.deepEqual(parseCpuList('5'), [5]);
  assert.throws(() => parseCpuList('0-'), UsageError);
  assert.throws(() => parseCpuList('a'), (e: unknown) => e instanceof UsageError && e.message.includes("'a'"));
});

test('resolveRunCpus: nothing to bind gives undefined', () => {
  assert.equal(resolveRunCpus({}, { root: four }), undefined);
  assert.equal(resolveRunCpus({ policy: mempolicy('bind', [1]) }, { root: four }), undefined);
});

test("resolveRunCpus: --cpunodebind gives the nodes' CPUs from cpulist", () => {
  assert.deepEqual(resolveRunCpus({ cpuNodes: [1] }, { root: four }), cpusOf('sys-guest-4node', 1));
  assert.deepEqual(resolveRunCpus({ cpuNodes: [1, 3] }, { root: four }), [...cpusOf('sys-guest-4node', 1), ...cpusOf('sys-guest-4node', 3)]);
  assert.deepEqual(resolveRunCpus({ cpuNodes: [0] }, { root: sparse }), cpusOf('sys-sparse', 0));
});

test('resolveRunCpus: --cpunodebind of a memory-only node is a usage error', () => {
  assert.throws(
    () => resolveRunCpus({ cpuNodes: [2] }, { root: sparse }),
    (e: unknown) => e instanceof NumapolError && e.usage && e.code === 'ENOCPU' && /node 2 has no CPUs/.test(e.message),
  );
});

test('resolveRunCpus: --physcpubind checks CPUs exist and intersects with --cpunodebind', () => {
  assert.deepEqual(resolveRunCpus({ cpus: [2, 3] }, { root: four }), [2, 3]);
  assert.throws(
    () => resolveRunCpus({ cpus: [9] }, { root: four }),
    (e: unknown) => e instanceof NumapolError && e.usage && /cpu 9 does not exist/.test(e.message),
  );
  assert.deepEqual(resolveRunCpus({ cpuNodes: [0], cpus: [1, 2] }, { root: sparse }), [1, 2]);
  assert.throws(
    () => resolveRunCpus({ cpuNodes: [1], cpus: [2] }, { root: four }),
    (e: unknown) => e instanceof NumapolError && e.usage && /leave no CPU/.test(e.message),
  );
});

test('planRun: the policy in kernel form, the resolved CPUs and the argv', () => {
  const plan = planRun({ policy: mempolicy('interleave', [0, 1, 2, 3]), cpuNodes: [2] }, ['prog', '-x'], { root: four });
  assert.deepEqual(plan, { policy: 'interleave:0-3', cpus: cpusOf('sys-guest-4node', 2), argv: ['prog', '-x'] });
  assert.deepEqual(planRun({}, ['true'], { root: four }), { argv: ['true'] });
  assert.equal(planRun({ policy: mempolicy('bind', [2]) }, ['x'], { root: four }).policy, 'bind:2');
});

test('planRun without a program: usage error', () => {
  assert.throws(() => planRun({}, [], { root: four }), (e: unknown) => e instanceof UsageError && /no program/.test(e.message));
});

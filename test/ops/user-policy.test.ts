import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../../src/errors.js';
import { nodeContext, userNodes, userPolicy } from '../../src/ops/user-policy.js';
import { fixture } from '../fixtures/fixture-path.js';
import { joinedRoot } from './helpers.js';

/** 4-node sys tree plus a fake pid 77 whose cpuset allows nodes 1-2 only. */
function cpusetRoot(): string {
  const root = joinedRoot('sys-guest-4node');
  mkdirSync(join(root, 'proc', '77'), { recursive: true });
  writeFileSync(join(root, 'proc', '77', 'status'), 'Name:\tx\nState:\tS (sleeping)\nPid:\t77\nCpus_allowed_list:\t1-2\nMems_allowed_list:\t1-2\n');
  return root;
}

const sparse = fixture('sys-sparse');
const four = fixture('sys-guest-4node');

test('nodeContext: online nodes; allowed = nodes with memory when there is no cpuset to read', () => {
  assert.deepEqual(nodeContext({ root: sparse, pid: 1 }), { nodes: [0, 2], allowed: [0, 2] });
  assert.deepEqual(nodeContext({ root: four, pid: 1 }), { nodes: [0, 1, 2, 3], allowed: [0, 1, 2, 3] });
});

test("nodeContext: the target's cpuset narrows 'allowed' unless ignoreCpuset", () => {
  const root = cpusetRoot();
  assert.deepEqual(nodeContext({ root, pid: 77 }).allowed, [1, 2]);
  assert.deepEqual(nodeContext({ root, pid: 77, ignoreCpuset: true }).allowed, [0, 1, 2, 3]);
});

test("userNodes: 'all', '!N', '+N' and ranges resolve against the machine and cpuset", () => {
  const root = cpusetRoot();
  assert.deepEqual(userNodes('all', { root, pid: 77 }), [1, 2]);
  assert.deepEqual(userNodes('all', { root, pid: 77, ignoreCpuset: true }), [0, 1, 2, 3]);
  assert.deepEqual(userNodes('+1', { root, pid: 77 }), [2]);
  assert.deepEqual(userNodes('!1', { root: four, pid: 1 }), [0, 2, 3]);
  assert.deepEqual(userNodes('1-3', { root: four, pid: 1 }), [1, 2, 3]);
  assert.deepEqual(userNodes('all', { root: sparse, pid: 1 }), [0, 2]);
});

test('userNodes: a node the machine lacks is a usage error naming the nodes it has', () => {
  assert.throws(
    () => userNodes('1', { root: sparse, pid: 1 }),
    (e: unknown) => e instanceof NumapolError && e.usage && /node 1 does not exist/.test(e.message) && /0,2/.test(e.message),
  );
  assert.throws(
    () => userNodes('7', { root: four, pid: 1 }),
    (e: unknown) => e instanceof NumapolError && e.usage && /node 7 does not exist/.test(e.message) && /0-3/.test(e.message),
  );
});

test('userNodes: bad syntax is a usage error', () => {
  assert.throws(() => userNodes('1-', { root: four, pid: 1 }), (e: unknown) => e instanceof NumapolError && e.usage);
  assert.throws(() => userNodes('x', { root: four, pid: 1 }), (e: unknown) => e instanceof NumapolError && e.usage);
});

test('userPolicy: kernel and numactl spellings become a checked Mempolicy', () => {
  assert.deepEqual(userPolicy('bind:1-2', { root: four, pid: 1 }), { mode: 'bind', nodes: [1, 2], flags: {} });
  const p = userPolicy('bind=static:0-1', { root: four, pid: 1 });
  assert.equal(p.mode, 'bind');
  assert.deepEqual(p.nodes, [0, 1]);
  assert.equal(p.flags.remap, 'static');
  assert.equal(userPolicy('prefer (many):0,2', { root: four, pid: 1 }).mode, 'preferred_many');
  assert.equal(userPolicy('local', { root: four, pid: 1 }).mode, 'local');
});

test('userPolicy: nodes that do not exist, or a policy the kernel would refuse, are usage errors', () => {
  assert.throws(
    () => userPolicy('interleave:0-5', { root: four, pid: 1 }),
    (e: unknown) => e instanceof NumapolError && e.usage && /nodes 4-5 do not exist: this machine has nodes 0-3/.test(e.message),
  );
  assert.throws(() => userPolicy('prefer:1,2', { root: four, pid: 1 }), (e: unknown) => e instanceof NumapolError && e.usage);
});

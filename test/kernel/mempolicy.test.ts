import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  getMempolicy,
  getMempolicyNode,
  getMemsAllowed,
  mbind,
  setMempolicy,
  setMempolicyHomeNode,
} from '../../src/kernel/mempolicy.js';
import {
  MPOL_BIND,
  MPOL_DEFAULT,
  MPOL_F_STATIC_NODES,
  MPOL_PREFERRED,
  MPOL_MF_STRICT,
} from '../../src/kernel/mempolicy-constants.js';
import { fillMemory, mmapAnonymous, munmap, pageSize } from '../../src/kernel/memory.js';
import { parseRangeList } from '../../src/kernel/range-list.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
const first = online[0] ?? 0;
/** A node id this machine does not have. */
const absent = Math.max(...online) + 5;

function withPolicy(mode: number, nodes: number[], body: () => void): void {
  setMempolicy(mode, nodes);
  try {
    body();
  } finally {
    setMempolicy(MPOL_DEFAULT, []);
  }
}

function withRegion(pages: number, body: (addr: bigint, len: bigint) => void): void {
  const len = BigInt(pages * pageSize());
  const addr = mmapAnonymous(len);
  try {
    body(addr, len);
  } finally {
    munmap(addr, len);
  }
}

test('the test process starts with the default policy', () => {
  assert.deepEqual(getMempolicy(), { mode: MPOL_DEFAULT, nodes: [] });
});

test('set_mempolicy bind is read back by get_mempolicy, then restored to default', () => {
  withPolicy(MPOL_BIND, [first], () => {
    assert.deepEqual(getMempolicy(), { mode: MPOL_BIND, nodes: [first] });
  });
  assert.deepEqual(getMempolicy(), { mode: MPOL_DEFAULT, nodes: [] });
});

test('mode flags come back or-ed into the mode', () => {
  withPolicy(MPOL_BIND | MPOL_F_STATIC_NODES, [first], () => {
    const got = getMempolicy();
    assert.equal(got.mode, MPOL_BIND | MPOL_F_STATIC_NODES);
    assert.deepEqual(got.nodes, [first]);
  });
});

test('set_mempolicy to a node the machine lacks fails with EINVAL naming set_mempolicy', () => {
  assert.throws(
    () => setMempolicy(MPOL_BIND, [absent]),
    (e: unknown) =>
      e instanceof SyscallError &&
      e.syscall === 'set_mempolicy' &&
      e.errnoName === 'EINVAL' &&
      /^set_mempolicy: EINVAL: .*online and allowed by the cpuset/.test(e.message),
  );
  assert.deepEqual(getMempolicy(), { mode: MPOL_DEFAULT, nodes: [] }, 'the failed call changed nothing');
});

test('bind with an empty nodemask is EINVAL', () => {
  assert.throws(() => setMempolicy(MPOL_BIND, []), (e: unknown) => e instanceof SyscallError && e.errnoName === 'EINVAL');
});

test('mems_allowed lists online nodes, including the first', () => {
  const allowed = getMemsAllowed();
  assert.ok(allowed.length > 0);
  assert.ok(allowed.every((n) => online.includes(n)));
});

test('mbind sets the policy of a range, seen by get_mempolicy at its address only', () => {
  withRegion(4, (addr, len) => {
    mbind(addr, len, MPOL_PREFERRED, [first]);
    assert.deepEqual(getMempolicy({ addr }), { mode: MPOL_PREFERRED, nodes: [first] });
    assert.deepEqual(getMempolicy({ addr: addr + len - 1n }), { mode: MPOL_PREFERRED, nodes: [first] });
    assert.deepEqual(getMempolicy(), { mode: MPOL_DEFAULT, nodes: [] }, 'the thread policy is untouched');
  });
});

test('get_mempolicy at an address reports the page node once touched', () => {
  withRegion(2, (addr, len) => {
    mbind(addr, len, MPOL_BIND, [first]);
    fillMemory(addr, len, 1);
    assert.equal(getMempolicyNode(addr), first);
  });
});

test('mbind MPOL_MF_STRICT succeeds when pages already follow the policy', () => {
  withRegion(2, (addr, len) => {
    fillMemory(addr, len, 1);
    const node = getMempolicyNode(addr);
    mbind(addr, len, MPOL_BIND, [node], MPOL_MF_STRICT);
    assert.deepEqual(getMempolicy({ addr }).nodes, [node]);
  });
});

test('mbind on an unaligned address is EINVAL with the mbind meaning', () => {
  withRegion(2, (addr, len) => {
    assert.throws(
      () => mbind(addr + 1n, len - 1n, MPOL_BIND, [first]),
      (e: unknown) => e instanceof SyscallError && e.syscall === 'mbind' && e.errnoName === 'EINVAL' && /page-aligned/.test(e.message),
    );
  });
});

test('mbind over an unmapped hole is EFAULT', () => {
  withRegion(3, (addr) => {
    const ps = BigInt(pageSize());
    munmap(addr + ps, ps);
    assert.throws(
      () => mbind(addr, 3n * ps, MPOL_BIND, [first]),
      (e: unknown) => e instanceof SyscallError && e.errnoName === 'EFAULT' && /not mapped/.test(e.message),
    );
  });
});

test('set_mempolicy_home_node works on bind ranges and is EOPNOTSUPP on preferred ones', () => {
  withRegion(2, (addr, len) => {
    mbind(addr, len, MPOL_PREFERRED, [first]);
    assert.throws(
      () => setMempolicyHomeNode(addr, len, first),
      (e: unknown) =>
        e instanceof SyscallError && e.syscall === 'set_mempolicy_home_node' && e.errnoName === 'EOPNOTSUPP' &&
        /bind or preferred_many/.test(e.message),
    );
    mbind(addr, len, MPOL_BIND, [first]);
    setMempolicyHomeNode(addr, len, first);
    assert.deepEqual(getMempolicy({ addr }), { mode: MPOL_BIND, nodes: [first] });
  });
});

// The cpuset a process may be placed in: cgroup v2 (walking up to the cgroup with the cpuset
// controller), cgroup v1, or the whole machine; its affinity kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { processCpuset } from '../../../src/ops/read/process-cpuset.js';
import { readStatus } from '../../../src/procfs/status.js';
import { parseRanges } from '../../../src/kernel/range-list.js';

const ONLINE = [0, 1, 2, 3, 4, 5, 6, 7];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-cpuset-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const status = (mems: string, cpus: string): string => `Name:\tjob\nPid:\t42\nCpus_allowed_list:\t${cpus}\nMems_allowed_list:\t${mems}\n`;

test('cgroup v2: the nearest cgroup with cpuset.cpus.effective gives the CPUs; the affinity is kept apart', () => {
  const root = tree({
    'proc/42/status': status('1-2', '5'),
    'proc/42/cgroup': '0::/batch.slice/job-1.scope\n',
    'sys/fs/cgroup/cpuset.cpus.effective': '0-7\n',
    'sys/fs/cgroup/batch.slice/cpuset.cpus.effective': '4-7\n',
  });
  const c = processCpuset(42, { root, onlineCpus: ONLINE });
  assert.deepEqual(c.cpus, [4, 5, 6, 7]);
  assert.equal(c.cpusFrom, 'cgroup-v2');
  assert.equal(c.cpusetCgroup, '/batch.slice');
  assert.deepEqual(c.mems, [1, 2]);
  assert.deepEqual(c.affinity, [5], 'pinned by sched_setaffinity inside its cpuset');
});

test('cgroup v1: the cpuset hierarchy line gives the CPUs', () => {
  const root = tree({
    'proc/42/status': status('0', '0-1'),
    'proc/42/cgroup': '4:memory:/x\n3:cpuset,cpu:/rt\n0::/\n',
    'sys/fs/cgroup/cpuset/rt/cpuset.effective_cpus': '2-3\n',
  });
  const c = processCpuset(42, { root, onlineCpus: ONLINE });
  assert.deepEqual(c.cpus, [2, 3]);
  assert.equal(c.cpusFrom, 'cgroup-v1');
  assert.equal(c.cpusetCgroup, '/rt');
});

test('no cpuset to be read: every online CPU', () => {
  const root = tree({ 'proc/42/status': status('0-3', '0-7'), 'proc/42/cgroup': '0::/user.slice\n' });
  const c = processCpuset(42, { root, onlineCpus: ONLINE });
  assert.deepEqual(c.cpus, ONLINE);
  assert.equal(c.cpusFrom, 'online');
  assert.equal(c.cpusetCgroup, null);
});

test('a process of this host: mems are its Mems_allowed_list, its affinity lies inside its cpuset', () => {
  const online = parseRanges(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
  const c = processCpuset(process.pid, { onlineCpus: online });
  assert.deepEqual(c.mems, readStatus(process.pid).memsAllowed);
  assert.ok(c.cpus.length > 0);
  for (const cpu of c.affinity) assert.ok(c.cpus.includes(cpu), `affinity CPU ${cpu} outside ${c.cpus}`);
});

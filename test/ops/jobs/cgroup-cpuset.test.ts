// A cgroup job's cpuset files, in fixture trees: what is read, and the refusals a user can act on.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NumapolError } from '../../../src/errors.js';
import { cgroupMembers, readCgroupCpuset } from '../../../src/ops/jobs/cgroup-cpuset.js';
import { moveJob } from '../../../src/ops/jobs/move-job.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A cgroup2 tree: root with `rootControllers`, /jobs with `jobsFiles`, /jobs/batch1 with `leafFiles`. */
function tree(rootControllers: string, jobsFiles: Record<string, string>, leafFiles: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-cg-'));
  roots.push(root);
  const cg = join(root, 'sys/fs/cgroup');
  mkdirSync(join(cg, 'jobs/batch1'), { recursive: true });
  writeFileSync(join(cg, 'cgroup.controllers'), rootControllers);
  for (const [f, v] of Object.entries(jobsFiles)) writeFileSync(join(cg, 'jobs', f), v);
  for (const [f, v] of Object.entries(leafFiles)) writeFileSync(join(cg, 'jobs/batch1', f), v);
  return root;
}

const withCpuset = { 'cgroup.controllers': 'cpuset memory\n', 'cgroup.procs': '', 'cpuset.cpus': '0-3\n', 'cpuset.mems': '0-1\n', 'cpuset.cpus.effective': '0-3\n', 'cpuset.mems.effective': '0-1\n' };

test('a cgroup with the cpuset controller: configured and effective values', () => {
  const root = tree('cpuset memory', { 'cgroup.controllers': 'cpuset memory\n', 'cgroup.procs': '' }, { ...withCpuset, 'cpuset.cpus': '\n' });
  const c = readCgroupCpuset('/jobs/batch1', { root });
  assert.equal(c.path, '/jobs/batch1');
  assert.equal(c.cpus, '', 'empty: the parent\'s CPUs');
  assert.equal(c.mems, '0-1');
  assert.deepEqual(c.cpusEffective, [0, 1, 2, 3]);
  assert.deepEqual(c.memsEffective, [0, 1]);
  // A trailing slash or doubled ones name the same cgroup.
  assert.equal(readCgroupCpuset('//jobs/batch1/', { root }).path, '/jobs/batch1');
});

test('no cpuset controller: refused, saying where to write +cpuset', () => {
  const root = tree('cpuset memory', { 'cgroup.controllers': 'cpuset memory\n' }, { 'cgroup.controllers': 'memory\n', 'cgroup.procs': '' });
  assert.throws(
    () => readCgroupCpuset('/jobs/batch1', { root }),
    (e: unknown) =>
      e instanceof NumapolError &&
      e.code === 'ENOCPUSET' &&
      e.usage &&
      e.message.includes(`echo +cpuset > ${join(root, 'sys/fs/cgroup/jobs/cgroup.subtree_control')}`),
  );
  // The parent has no cpuset to give either: enable it from the root down.
  const bare = tree('memory', { 'cgroup.controllers': 'memory\n' }, { 'cgroup.controllers': 'memory\n' });
  assert.throws(() => readCgroupCpuset('/jobs/batch1', { root: bare }), /from the root down.*\/jobs has no cpuset to give/);
});

test('moveJob refuses such a cgroup before touching anything', async () => {
  const root = tree('cpuset', { 'cgroup.controllers': 'cpuset\n' }, { 'cgroup.controllers': '\n', 'cgroup.procs': '' });
  await assert.rejects(moveJob([{ pid: process.pid }], { to: [0], cgroup: '/jobs/batch1', root }), (e: unknown) => e instanceof NumapolError && e.code === 'ENOCPUSET');
});

test('paths that are no cgroup: missing, not cgroup v2, the root, or climbing out', () => {
  const root = tree('cpuset', { 'cgroup.controllers': 'cpuset\n' }, withCpuset);
  assert.throws(() => readCgroupCpuset('/nope', { root }), (e: unknown) => e instanceof NumapolError && e.code === 'ENOENT');
  const v1 = mkdtempSync(join(tmpdir(), 'numapol-cg-'));
  roots.push(v1);
  mkdirSync(join(v1, 'sys/fs/cgroup/jobs'), { recursive: true });
  assert.throws(() => readCgroupCpuset('/jobs', { root: v1 }), /not a cgroup v2 directory: is the unified hierarchy \(cgroup2\) mounted/);
  assert.throws(() => readCgroupCpuset('/', { root }), /root cgroup/);
  assert.throws(() => readCgroupCpuset('/jobs/../..', { root }), /bad cgroup/);
  assert.throws(() => readCgroupCpuset('jobs', { root }), /bad cgroup/);
});

test('members: the processes of the cgroup and of every cgroup below it', () => {
  const root = tree('cpuset', { 'cgroup.controllers': 'cpuset\n', 'cgroup.procs': '7\n' }, { ...withCpuset, 'cgroup.procs': '42\n12\n' });
  assert.deepEqual(cgroupMembers('/jobs', { root }), [7, 12, 42]);
  assert.deepEqual(cgroupMembers('/jobs/batch1', { root }), [12, 42]);
});

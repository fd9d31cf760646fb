import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGoneError } from '../../src/errors.js';
import { parseCgroupV2Path, readCgroupV2Path } from '../../src/procfs/cgroup.js';
import { fixture } from '../fixtures/fixture-path.js';

const root = fixture('proc-host-facts');

test('parseCgroupV2Path: v2 only, hybrid, v1 only, empty', () => {
  assert.equal(parseCgroupV2Path('0::/system.slice/cron.service\n'), '/system.slice/cron.service');
  assert.equal(parseCgroupV2Path('0::/user.slice/user-1000.slice/session-2.scope'), '/user.slice/user-1000.slice/session-2.scope');
  assert.equal(parseCgroupV2Path('12:cpu,cpuacct:/a\n1:name=systemd:/b\n0::/c d:e\n'), '/c d:e');
  assert.equal(parseCgroupV2Path('4:memory:/x\n3:cpuset:/\n1:name=systemd:/init.scope\n'), null);
  assert.equal(parseCgroupV2Path(''), null);
  // A v1 hierarchy whose id is 10 is not the v2 line.
  assert.equal(parseCgroupV2Path('10::/not-v2\n'), null);
  assert.equal(parseCgroupV2Path('0::/gone (deleted)\n'), '/gone (deleted)');
});

test('readCgroupV2Path on the fixture tree: hybrid host, v2 only, gone pid', () => {
  assert.equal(readCgroupV2Path(23697, { root }), '/');
  assert.equal(readCgroupV2Path(4100, { root }), '/system.slice/numapol-test.service');
  assert.throws(() => readCgroupV2Path(999, { root }), ProcessGoneError);
});

/** Where the cgroup v2 hierarchy is mounted, from /proc/self/mountinfo; undefined without one. */
function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (post?.startsWith('cgroup2 ')) return pre!.split(' ')[4];
  }
  return undefined;
}

test('readCgroupV2Path of this process names a cgroup whose cgroup.procs lists it', (t) => {
  const path = readCgroupV2Path(process.pid);
  const mount = cgroup2Mount();
  if (path === null || mount === undefined) {
    t.skip('no cgroup v2 hierarchy on this machine');
    return;
  }
  assert.ok(path.startsWith('/'), path);
  const procs = join(mount, path, 'cgroup.procs');
  if (!existsSync(procs)) {
    t.skip(`the v2 hierarchy mounted at ${mount} is not the one of our cgroup namespace`);
    return;
  }
  const pids = readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number);
  assert.ok(pids.includes(process.pid), `${procs} lists ${pids.length} pids, not ${process.pid}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ProcessGoneError } from '../../../src/errors.js';
import { parsePasswd, uidOfUser, userOfUid } from '../../../src/ops/read/passwd.js';
import { processFacts, processStart } from '../../../src/ops/read/process-facts.js';
import { fixture } from '../../fixtures/fixture-path.js';

const root = fixture('proc-host-facts');
const fixtureFile = (path: string): string => readFileSync(join(root, path), 'utf8');
/** Fields 3 on of a stat line, split after the last ')' (independent of src/). */
const statFields = (line: string): string[] => line.slice(line.lastIndexOf(')') + 2).trim().split(' ');

test('processFacts of the captured renamed bash: every fact from its files', () => {
  const f = processFacts(23697, { root });
  assert.deepEqual(f, {
    pid: 23697,
    start: Number(statFields(fixtureFile('proc/23697/stat'))[22 - 3]),
    ppid: 1,
    comm: 'we) (ird x',
    exe: '/usr/bin/bash',
    cmdline: fixtureFile('proc/23697/cmdline').split('\0').slice(0, -1),
    uid: 65534,
    user: 'nobody',
    cgroup: '/',
    rssBytes: Number(/VmRSS:\s+(\d+) kB/.exec(fixtureFile('proc/23697/status'))![1]) * 1024,
    threads: 1,
    kernelThread: false,
  });
  assert.equal(f.cmdline[0], 'bash');
  assert.equal(f.cmdline.length, 3);
});

test('processFacts of kthreadd: a kernel thread with no exe, no cmdline, no memory', () => {
  const f = processFacts(2, { root });
  assert.equal(f.kernelThread, true);
  assert.equal(f.exe, null);
  assert.deepEqual(f.cmdline, []);
  assert.equal(f.rssBytes, 0);
  assert.equal(f.uid, 0);
  assert.equal(f.user, 'root', 'the first passwd line of uid 0 names it, not the later toor');
  assert.equal(f.comm, 'kthreadd');
});

test('processFacts: a uid not in passwd, a cgroup v2 only file, a deleted exe', () => {
  const f = processFacts(4100, { root });
  assert.equal(f.uid, 1234);
  assert.equal(f.user, null);
  assert.equal(f.cgroup, '/system.slice/numapol-test.service');
  assert.equal(f.exe, '/usr/bin/bash (deleted)');
});

test('processFacts and processStart of a pid that is not there', () => {
  assert.throws(() => processFacts(999, { root }), ProcessGoneError);
  assert.equal(processStart(999, { root }), undefined);
  assert.equal(processStart(4100, { root }), processFacts(4100, { root }).start);
});

test('uidOfUser and userOfUid read etc/passwd of the root: comments, malformed and NIS lines name nobody', () => {
  assert.equal(uidOfUser('root', { root }), 0);
  assert.equal(uidOfUser('toor', { root }), 0);
  assert.equal(uidOfUser('daemon', { root }), 1);
  assert.equal(uidOfUser('nobody', { root }), 65534);
  for (const name of ['', '+nisuser', 'nisuser', 'broken line without fields', '# a comment names no user', 'alice']) {
    assert.equal(uidOfUser(name, { root }), undefined, name);
  }
  assert.equal(userOfUid(1, { root }), 'daemon');
  assert.equal(userOfUid(4242, { root }), null);
  const parsed = parsePasswd(fixtureFile('etc/passwd'));
  assert.deepEqual([...parsed.uidByName.keys()], ['root', 'daemon', 'toor', 'nobody']);
});

test('uidOfUser sees a user added to passwd after the first lookup; no passwd, no names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-passwd-'));
  try {
    assert.equal(uidOfUser('root', { root: dir }), undefined);
    mkdirSync(join(dir, 'etc'));
    const file = join(dir, 'etc', 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/sh\n');
    assert.equal(uidOfUser('root', { root: dir }), 0);
    assert.equal(uidOfUser('alice', { root: dir }), undefined);
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n');
    // Same second, other size; and a later mtime, so the test holds on coarse timestamps too.
    utimesSync(file, new Date(), new Date(Date.now() + 2000));
    assert.equal(uidOfUser('alice', { root: dir }), 1001);
    assert.equal(userOfUid(1001, { root: dir }), 'alice');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processFacts of this process agrees with what Node knows of it', () => {
  const f = processFacts(process.pid);
  assert.equal(f.pid, process.pid);
  assert.equal(f.ppid, process.ppid);
  assert.equal(f.start, processStart(process.pid));
  assert.equal(f.exe, realpathSync(process.execPath));
  assert.ok(
    f.cmdline.some((arg) => resolve(arg) === process.argv[1]),
    `cmdline ${JSON.stringify(f.cmdline)} names the test file ${process.argv[1]}`,
  );
  assert.equal(f.uid, process.getuid!());
  assert.equal(f.user, userInfo().username);
  assert.equal(f.kernelThread, false);
  assert.equal(f.threads, readdirSync('/proc/self/task').length);
  const rss = process.memoryUsage().rss;
  assert.ok(f.rssBytes > rss / 2 && f.rssBytes < rss * 2, `rssBytes ${f.rssBytes}, Node says ${rss}`);
  const cgroupLine = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
  assert.equal(f.cgroup, cgroupLine === undefined ? null : cgroupLine.slice(3));
});

test('processFacts of a process that has exited and been reaped: ProcessGoneError; processStart undefined', async () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  const start = processStart(pid);
  assert.ok(start !== undefined && start > 0);
  assert.equal(processFacts(pid).start, start);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.throws(() => processFacts(pid), ProcessGoneError);
  assert.equal(processStart(pid), undefined);
});

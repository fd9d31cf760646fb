import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveOf } from '../vm/harness/numactl-source.js';

const POLICY = `numactl:
  Installed: 2.0.16-1
  Candidate: 2.0.16-1
  Version table:
     2.0.18-1 100
        100 http://deb.debian.org/debian trixie/main amd64 Packages
 *** 2.0.16-1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
`;

test('archiveOf: the archive, suite and component the installed version came from', () => {
  assert.deepEqual(archiveOf(POLICY, '2.0.16-1'), { uri: 'http://deb.debian.org/debian', suite: 'bookworm', component: 'main' });
  assert.deepEqual(archiveOf(POLICY, '2.0.18-1'), { uri: 'http://deb.debian.org/debian', suite: 'trixie', component: 'main' });
});

test('archiveOf: a version known only from dpkg (installed by hand) has no archive', () => {
  assert.equal(archiveOf(POLICY.replace(/ {8}500 http[^\n]*\n/, ''), '2.0.16-1'), undefined);
  assert.equal(archiveOf(POLICY, '9.9'), undefined);
});

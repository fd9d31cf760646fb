import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePasswd, uidOfUser } from '../../../src/ops/read/passwd.js';

function rootWith(passwd: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'numapol-users-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  if (passwd !== undefined) {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), passwd);
  }
  return root;
}

test('uidOfUser reads the root\'s /etc/passwd; unknown names and a missing file give undefined', () => {
  const root = rootWith('root:x:0:0:root:/root:/bin/bash\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n');
  assert.equal(uidOfUser('root', { root }), 0);
  assert.equal(uidOfUser('backup', { root }), 34);
  assert.equal(uidOfUser('nobody', { root }), undefined);
  assert.equal(uidOfUser('root', { root: rootWith(undefined) }), undefined);
});

test('parsePasswd skips NIS lines, malformed lines and later duplicates', () => {
  const text = 'a:x:1:1::/:/bin/sh\n+nis::::::\n-bad::::::\nbroken\nc:x:notanumber:1::/:/bin/sh\na:x:99:1::/:/bin/sh\n\n';
  assert.deepEqual([...parsePasswd(text).uidByName], [['a', 1]]);
});

/** Machines for configuration tests: a fixture /sys tree joined with an /etc/passwd of our own. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinedRoot } from '../../ops/helpers.js';

/** Removed when the test process exits (rmSync does not follow the fixture symlinks). */
function removedAtExit(dir: string): string {
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh directory for this test process. */
export function tempDir(): string {
  return removedAtExit(mkdtempSync(join(tmpdir(), 'numapol-config-')));
}

export const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

/** `sysTree`'s /sys, and /etc/passwd holding `passwd` (none when undefined). */
export function machineRoot(sysTree: string, passwd: string | undefined = PASSWD): string {
  const root = removedAtExit(joinedRoot(sysTree));
  if (passwd !== undefined) {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), passwd);
  }
  return root;
}

/** Where the text marked `»` sits in `marked` (1-based), and the text without the mark. */
export function marked(text: string): { text: string; line: number; column: number } {
  const at = text.indexOf('»');
  if (at < 0 || text.indexOf('»', at + 1) >= 0) throw new Error(`one » expected in ${JSON.stringify(text)}`);
  const before = text.slice(0, at).split('\n');
  return { text: text.slice(0, at) + text.slice(at + 1), line: before.length, column: before[before.length - 1]!.length + 1 };
}

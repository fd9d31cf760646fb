import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readProcFile } from '../../src/kernel/proc-file.js';

describe('readProcFile', () => {
  it('reads a status file whole, as node:fs does', () => {
    const path = `/proc/${process.pid}/status`;
    const text = readProcFile(path);
    assert.ok(text?.startsWith('Name:'));
    // Fields that do not change between the two reads of this thread's own process.
    for (const key of ['Name:', 'Tgid:', 'Uid:', 'SigIgn:', 'Seccomp:']) {
      const line = (t: string): string | undefined => t.split('\n').find((l) => l.startsWith(key));
      assert.equal(line(text!), line(readFileSync(path, 'latin1')), key);
    }
  });

  it('reads a file longer than its buffer completely, and answers undefined for a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'numapol-procfile-'));
    try {
      const long = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
      writeFileSync(join(dir, 'long'), long);
      assert.ok(long.length > 3 * 8192);
      assert.equal(readProcFile(join(dir, 'long')), long);
      assert.equal(readProcFile(join(dir, 'missing')), undefined);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

// Seed 004's persistent file policies: an `shm:` rule gives a tmpfs file the rule's policy, holds
// it while nobody maps it, and gives a recreated file (a new inode) the policy again.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shmPolicy } from '../../src/ops/shm.js';
import { startService, type Service } from '../../src/daemon/service.js';
import { until } from '../helpers/daemon-process.js';

const skip = process.geteuid?.() !== 0 ? 'needs root' : !existsSync('/dev/shm') ? 'no /dev/shm' : false;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('shm rules', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-shm-rule-'));
  const file = `/dev/shm/numapol-test-${process.pid}`;
  let svc: Service;

  /** The file's policy as the kernel keeps it (the first run of its shared policy). */
  const policyOf = (): string => shmPolicy({ file }).policy[0]?.policy ?? '?';

  before(async () => {
    writeFileSync(file, '');
    truncateSync(file, 4 << 20);
    writeFileSync(join(dir, 'numapol.yaml'), `rescan: 1s\njournal: ${join(dir, 'journal.db')}\nrules:\n  - name: keep\n    shm: { file: ${file} }\n    policy: bind=0\n`);
    svc = await startService({ configPath: join(dir, 'numapol.yaml'), socket: join(dir, 's.sock'), warmUp: false, log: quiet });
  });
  after(async () => {
    await svc.close();
    rmSync(file, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the file the policy and journals it; the policy stays with nobody mapping the file', async () => {
    const e = await until('the rule to act', () => svc.daemon.journalEntries({ rule: 'keep' }).find((x) => x.outcome !== 'running'));
    assert.deepEqual([e.source, e.action, e.outcome, e.pid], ['file', 'shm-policy', 'ok', null]);
    assert.equal(policyOf(), 'bind:0');
    assert.deepEqual(svc.daemon.status().rules, 1);
  });

  it('a recreated file (another inode) gets the policy again; undo puts the old one back while it is the same file', async () => {
    unlinkSync(file);
    writeFileSync(file, '');
    truncateSync(file, 2 << 20);
    const done = await until('the policy on the new file', () => {
      const ok = svc.daemon.journalEntries({ rule: 'keep' }).filter((x) => x.outcome === 'ok');
      return ok.length >= 2 ? ok : undefined;
    });
    assert.equal(policyOf(), 'bind:0');
    const newest = done[0]!;
    const u = await svc.daemon.undo(newest.id);
    assert.equal(u.outcome, 'ok');
    assert.equal(policyOf(), 'default');
    // The first entry was about the first file: undoing it now would touch another object.
    const first = svc.daemon.journalEntries({ rule: 'keep', order: 'oldest' })[0]!;
    await assert.rejects(svc.daemon.undo(first.id), /was recreated since/);
  });
});

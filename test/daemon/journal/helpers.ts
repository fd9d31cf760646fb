/** Shared by the journal tests: a scratch directory per test file, and entries to write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BegunJournalEntry, NewJournalEntry } from '../../../src/daemon/journal/entry.js';

/** A fresh directory, removed when the test process exits. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-journal-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let n = 0;
/** A path in `dir` no other call returned. */
export function journalPath(dir: string): string {
  return join(dir, `j${++n}`, 'journal.db');
}

export function begun(over: Partial<BegunJournalEntry> = {}): BegunJournalEntry {
  return {
    time: '2024-05-01T12:00:00.000Z',
    pid: 4242,
    start: 987654,
    comm: 'postgres',
    cgroup: '/system.slice/postgresql.service',
    rule: 'databases',
    source: 'rule',
    action: 'policy',
    mode: 'enforce',
    spec: 'sha256:abc',
    params: { policy: 'bind', nodes: [0, 1] },
    before: null,
    undoes: null,
    ...over,
  };
}

export function finished(over: Partial<NewJournalEntry> = {}): NewJournalEntry {
  return { ...begun(), result: { threads: 3 }, outcome: 'ok', error: null, ...over };
}

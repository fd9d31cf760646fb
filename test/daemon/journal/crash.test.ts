/**
 * Crash safety: a child writes entries with large JSON payloads in a tight loop and is
 * SIGKILLed at a random moment, again and again on the same file. After each kill the journal
 * must pass SQLite's integrity check, hold every entry the child saw returned, and hold only
 * whole entries: each row is exactly what crash-payload.ts says its sequence number gives,
 * whether it ran or was interrupted. Kill points are random; the checks hold at any of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openJournal } from '../../../src/daemon/journal/journal.js';
import type { JournalEntry } from '../../../src/daemon/journal/entry.js';
import { crashEnd, crashEntry, kindOf } from './crash-payload.js';
import { journalPath, scratchDir } from './helpers.js';

const WRITER = fileURLToPath(new URL('./crash-writer.js', import.meta.url));
const ROUNDS = 24;
const SEQS_PER_ROUND = 1_000_000;

interface Said {
  kind: 'rec' | 'begin' | 'fin';
  id: number;
  seq: number;
}

interface Run {
  said: Said[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
  killedAfter: string;
}

const randomInt = (below: number): number => Math.floor(Math.random() * below);

/**
 * One child, killed either a random few ms after it starts (possibly while it opens or
 * creates the journal) or a random few ms after it has said it wrote a random number of
 * entries (so most rounds do write).
 */
function runOnce(path: string, round: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(round * SEQS_PER_ROUND)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let lines = 0;
    let killedAfter = '';
    const killSoon = (ms: number, why: string): void => {
      killedAfter = `${why}, then ${ms} ms`;
      setTimeout(() => child.kill('SIGKILL'), ms);
    };
    const early = round % 5 === 0;
    const target = 1 + randomInt(60);
    if (early) killSoon(randomInt(150), 'spawn');
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (early || killedAfter !== '') return;
      lines = out.split('\n').length - 1;
      if (lines >= target + 1) killSoon(randomInt(12), `${lines - 1} entry lines`);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': the last lines may still be in the pipe when the child has died.
    child.on('close', (code, signal) => {
      const said: Said[] = [];
      // A line cut short by the kill has no newline: only whole lines count.
      for (const line of out.split('\n').slice(0, -1)) {
        const m = /^(rec|begin|fin) (\d+) (\d+)$/.exec(line);
        if (m) said.push({ kind: m[1] as Said['kind'], id: Number(m[2]), seq: Number(m[3]) });
        else assert.equal(line, 'ready', `unexpected line from the writer: ${line}`);
      }
      resolve({ said, signal, code, stderr, killedAfter });
    });
  });
}

/** Every field of a row against what its seq says it must hold. */
function checkRow(e: JournalEntry, where: string): number {
  const m = /^(rec|pair):(\d+)$/.exec(e.spec ?? '');
  assert.ok(m, `${where}: entry ${e.id} has spec ${e.spec}`);
  const seq = Number(m[2]);
  assert.equal(m[1], kindOf(seq), `${where}: entry ${e.id}`);
  const { undoes, ...begun } = crashEntry(seq);
  const end = crashEnd(seq);
  const { id, outcome, result, error, undoneBy, undoes: gotUndoes, ...got } = e;
  assert.deepEqual(got, begun, `${where}: entry ${id} (seq ${seq}) fields`);
  assert.equal(gotUndoes, undoes);
  assert.equal(undoneBy, null);
  if (kindOf(seq) === 'rec' || outcome === 'ok') {
    assert.equal(outcome, 'ok', `${where}: entry ${id}`);
    assert.deepEqual(result, end.result, `${where}: entry ${id} (seq ${seq}) result`);
    assert.equal(error, null);
  } else {
    // Begun and never finished: the reopen made it interrupted, with no result.
    assert.equal(outcome, 'interrupted', `${where}: entry ${id} (seq ${seq}) outcome`);
    assert.equal(result, null);
    assert.match(error ?? '', /stopped before this action finished/);
  }
  return seq;
}

test('SIGKILL at random moments: the journal stays whole and keeps every entry the writer saw written', { timeout: 600_000 }, async (t) => {
  const path = journalPath(scratchDir());
  /** id → what the writer said of it, over all rounds: later rounds must not lose it. */
  const known = new Map<number, { seq: number; finished: boolean }>();
  let written = 0;
  let interrupted = 0;
  let unsaid = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const run = await runOnce(path, round);
    const where = `round ${round} (killed after ${run.killedAfter})`;
    assert.equal(run.signal, 'SIGKILL', `${where}: the writer ended by itself (code ${run.code}): ${run.stderr}`);
    for (const s of run.said) {
      const k = known.get(s.id);
      if (k !== undefined) assert.equal(k.seq, s.seq, `${where}: id ${s.id} said twice for other entries`);
      known.set(s.id, { seq: s.seq, finished: s.kind !== 'begin' || (k?.finished ?? false) });
      if (s.kind !== 'begin') written++;
    }

    // Killed before it made the file: nothing to check yet but that openJournal copes.
    if (existsSync(path)) {
      const raw = new Database(path, { fileMustExist: true });
      assert.deepEqual(raw.pragma('integrity_check'), [{ integrity_check: 'ok' }], where);
      raw.close();
    }

    const j = openJournal(path);
    try {
      const entries = j.list({ limit: 1e9, order: 'oldest' });
      const byId = new Map(entries.map((e) => [e.id, e]));
      const seqs = new Set<number>();
      for (const e of entries) {
        assert.notEqual(e.outcome, 'running', `${where}: entry ${e.id} still running after reopen`);
        const seq = checkRow(e, where);
        assert.ok(!seqs.has(seq), `${where}: seq ${seq} written twice`);
        seqs.add(seq);
      }
      for (const [id, k] of known) {
        const e = byId.get(id);
        assert.ok(e !== undefined, `${where}: entry ${id} (seq ${k.seq}) was returned to the writer and is gone`);
        assert.equal(e.start, k.seq, `${where}: entry ${id}`);
        if (k.finished) assert.equal(e.outcome, 'ok', `${where}: entry ${id} was finished`);
      }
      interrupted += j.interruptedAtOpen.length;
      // Committed, but killed before the writer could say so: the kill fell after the commit.
      unsaid += entries.filter((e) => !known.has(e.id)).length;
      for (const e of entries) if (!known.has(e.id)) known.set(e.id, { seq: e.start!, finished: e.outcome === 'ok' });
      for (const id of j.interruptedAtOpen) assert.equal(known.get(id)?.finished ?? false, false, `${where}: finished entry ${id} reported interrupted`);
    } finally {
      j.close();
    }
  }
  t.diagnostic(`${ROUNDS} kills: ${written} writes returned, ${interrupted} begun entries interrupted, ${unsaid} entries committed but not yet said`);
  // Most rounds wait for the writer to report entries before the kill, so this holds whatever the timing.
  assert.ok(written > 0, 'the writer wrote entries');
});

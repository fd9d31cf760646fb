/**
 * The entries crash-writer.ts writes, as a function of a sequence number, so the crash test can
 * say what every row must hold without the writer telling it (the writer may die before it can).
 */
import type { BegunJournalEntry, JournalFinish } from '../../../src/daemon/journal/entry.js';

export type CrashKind = 'rec' | 'pair';

/** mulberry32: a small seeded generator, so a seq always gives the same payload. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blob(r: () => number, minChars: number, maxChars: number): string {
  const chunk = Array.from({ length: 64 }, () => String.fromCharCode(33 + Math.floor(r() * 94))).join('');
  const n = minChars + Math.floor(r() * (maxChars - minChars));
  return chunk.repeat(Math.ceil(n / chunk.length)).slice(0, n);
}

export const kindOf = (seq: number): CrashKind => (seq % 2 === 0 ? 'rec' : 'pair');
export const specOf = (seq: number): string => `${kindOf(seq)}:${seq}`;

/** The entry as begun (for 'pair') or as recorded without its end (for 'rec'). */
export function crashEntry(seq: number): BegunJournalEntry {
  const r = rng(seq);
  const kind = kindOf(seq);
  return {
    time: new Date(Date.UTC(2024, 0, 1) + seq).toISOString(),
    pid: 1000 + (seq % 7),
    start: seq,
    comm: `w${seq}`,
    cgroup: `/crash/${seq % 3}`,
    rule: kind === 'rec' ? 'rule-a' : null,
    source: kind === 'rec' ? 'rule' : 'api',
    action: kind === 'rec' ? 'migrate' : 'policy',
    mode: 'enforce',
    spec: specOf(seq),
    params: { seq, blob: blob(r, 1_000, 40_000), nums: Array.from({ length: 64 }, () => Math.floor(r() * 1e9)) },
    before: { seq, ranges: Array.from({ length: 1 + Math.floor(r() * 200) }, (_, i) => ({ start: `0x${(0x7f0000000000 + i * 0x200000).toString(16)}`, policy: `bind:${i % 4}` })) },
    undoes: null,
  };
}

export function crashEnd(seq: number): JournalFinish {
  const r = rng(seq ^ 0x5bd1e995);
  return { result: { seq, moved: Math.floor(r() * 1e6), report: blob(r, 500, 20_000) }, outcome: 'ok', error: null };
}

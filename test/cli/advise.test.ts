// numapol advise without a daemon: the machine measured locally, every candidate scored; a job
// no node set can hold is exit 1; bad input is exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { numapol } from './helpers.js';
import { expandRanges as expand } from '../helpers/expand-ranges.js';

// A socket nobody listens on: the local path, whatever runs on this machine.
const NONE = ['--socket', join(tmpdir(), `numapol-none-${process.pid}.sock`)];
const ONLINE = expand(readFileSync('/sys/devices/system/node/online', 'utf8'));

interface AdviceJson {
  source: string;
  request: { cpus: number; memBytes: number };
  nodes: number[];
  reason: string;
  best: { nodes: number[]; score: number; fits: boolean } | null;
  candidates: { nodes: number[]; cpuNodes: number[]; score: number; fits: boolean; parts: Record<string, number>; reason: string }[];
}

test('advise --json: measured here without a daemon; nodes of this machine, candidates best first with their parts', () => {
  const r = numapol(['advise', '--cpus', '0.5', '--mem', '64MiB', ...NONE, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout) as AdviceJson;
  assert.equal(a.source, 'local');
  assert.deepEqual(a.request, { cpus: 0.5, memBytes: 64 * 2 ** 20 });
  assert.ok(a.best !== null && a.best.fits, a.reason);
  assert.ok(a.nodes.length > 0 && a.nodes.every((n) => ONLINE.includes(n)), JSON.stringify(a.nodes));
  assert.ok(a.candidates.length > 0);
  a.candidates.forEach((c, i) => {
    if (i > 0) assert.ok(c.score <= a.candidates[i - 1]!.score, 'best first');
    for (const k of ['memory', 'cpu', 'distance', 'speed', 'locality', 'headroom']) assert.equal(typeof c.parts[k], 'number', k);
    assert.ok(c.reason.length > 0);
  });
});

test('advise: the answer and a table of candidates; no node set big enough is exit 1; bad input is exit 2', () => {
  const r = numapol(['advise', '--cpus', '1', '--mem', '1MiB', ...NONE]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^give it nodes [\d,]+: /);
  assert.match(r.stdout, /^NODES\s+CPU NODES\s+SCORE\s+MEMORY\s+CPU\s+DISTANCE\s+LOCALITY\s+HEADROOM\s+FITS\s+WHY$/m);
  const huge = numapol(['advise', '--cpus', '1', '--mem', '1000000GiB', ...NONE]);
  assert.equal(huge.status, 1, huge.stderr);
  assert.match(huge.stdout, /^no node set holds the job/);
  for (const bad of [['--cpus', 'x', '--mem', '1MiB'], ['--cpus', '1', '--mem', 'lots'], ['--cpus', '1']]) {
    const b = numapol(['advise', ...bad, ...NONE]);
    assert.equal(b.status, 2, `${bad.join(' ')}: ${b.stderr}`);
    assert.equal(b.stdout, '');
  }
});

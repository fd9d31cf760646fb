// `numapol apply PID [FILE|-]`: the seeds' lines from a file or stdin.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { targetStarter } from '../targets/target.js';
import { numapol } from './helpers.js';

const start = targetStarter();

function vmaPolicyWord(pid: number, addr: string): string | undefined {
  return readFileSync(`/proc/${pid}/numa_maps`, 'utf8').split('\n').find((l) => l.startsWith(`${addr} `))?.split(' ')[1];
}

describe('numapol apply', () => {
  it('applies lines from stdin and from a file; a bad line exits 2 naming it and changes nothing', async () => {
    const t = await start(['futex=1']);
    const m = await t.command('map 1', /mapped 0x([0-9a-f]+) (\d+)/);
    const addr = m[1]!;
    const r = numapol(['apply', String(t.pid), '-', '--json'], { input: `interleave=0\n${addr} bind=0\n` });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { lines: { line: number; kind: string; threads?: unknown[]; ranges?: { after: string }[] }[] };
    assert.deepEqual(j.lines.map((l) => [l.line, l.kind]), [[1, 'process'], [2, 'range']]);
    assert.equal(j.lines[1]!.ranges![0]!.after, 'bind:0');
    assert.equal(vmaPolicyWord(t.pid, addr), 'bind:0');

    const file = `/tmp/numapol-apply-${process.pid}`;
    writeFileSync(file, `${addr} prefer=0\n${addr} bind=42\n`);
    const bad = numapol(['apply', String(t.pid), file]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /^numapol: line 2: /);
    assert.equal(vmaPolicyWord(t.pid, addr), 'bind:0', 'line 1 was not applied');
    writeFileSync(file, `${addr} prefer=0\n`);
    const ok = numapol(['apply', String(t.pid), file]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /line 1: /);
    assert.equal(vmaPolicyWord(t.pid, addr), 'prefer:0');
    rmSync(file);
    const missing = numapol(['apply', String(t.pid), '/nonexistent/file']);
    assert.equal(missing.status, 2);
  });
});

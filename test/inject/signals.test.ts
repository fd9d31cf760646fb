import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { targetStarter } from '../targets/target.js';
import { MPOL_BIND, tracerOf } from './helpers.js';

const start = targetStarter();

describe('signals to numapol during an operation', () => {
  it('finishes the restore and detach, then dies of the signal', async () => {
    const t = await start(['futex=3', 'busy=1', 'read=1']);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./signal-child.js', import.meta.url)), String(t.pid)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.once('exit', (c, s) => r([c, s])));
    assert.match(out, /^changed \d+ failures 0$/m);
    assert.match(out, /^finished$/m);
    assert.doesNotMatch(out, /survived/);
    assert.ok(signal === 'SIGTERM' || signal === 'SIGINT', `exit ${code} ${signal}`);
    assert.equal(tracerOf(t.pid), 0);
    const { counters, threads } = await t.finish();
    assert.equal(counters.surprises, 0);
    assert.equal(counters.busy_bad, 0);
    assert.ok(threads.every((r) => r.mode === MPOL_BIND));
  });
});

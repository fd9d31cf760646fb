// Runs inside the 4-node test bed: numapol SIGKILLed at random instants while it moves a
// target's pages (migrate, move, set --range --move) or changes its threads' policy, as an OOM
// kill or a service manager's stop timeout would. The target keeps writing its memory meanwhile
// and checks every word at the end (migrate-writer.c): it must live on, untraced, with nothing
// lost or torn. A move killed half-way leaves pages on both nodes: that is allowed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NUMAPOL_BIN } from '../helpers/bin.js';
import { startWriter, type Writer } from '../targets/migrate-writer.js';
import { topologyFromEnv } from './harness/topology.js';
import { exited, tracerOf } from '../helpers/proc-state.js';

const topology = topologyFromEnv();
const skip = !topology ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset)' : topology.nodes.length < 4 ? 'needs 4 nodes' : false;
const MIB = 64;
const KILLS = 3;

function untraced(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => /^TracerPid:\s+0$/m.test(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')));
}

/** Runs `args` and kills it at a random instant of its work (of the stop, for commands that stop the target). */
async function killMidway(w: Writer, args: string[], lengthMs: number, traces: boolean): Promise<void> {
  const c = spawn(process.execPath, [NUMAPOL_BIN, ...args], { stdio: 'ignore' });
  if (traces) {
    const limit = performance.now() + 120_000;
    while (tracerOf(w.pid) !== c.pid && !exited(c) && performance.now() < limit);
  }
  const end = performance.now() + Math.random() * lengthMs;
  while (performance.now() < end);
  c.kill('SIGKILL');
  if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
}

test('numapol killed at random instants during migrate, move, set --range --move and set: the target lives on, its data intact', { skip }, async () => {
  const w = await startWriter('anon', MIB, { wrap: ['numactl', '--preferred=0'] });
  try {
    const range = `${w.addr.toString(16)}+${w.len}`;
    const ops: { args: (i: number) => string[]; traces: boolean }[] = [
      { args: (i) => ['migrate', String(w.pid), i % 2 ? '3' : '0', i % 2 ? '0' : '3'], traces: false },
      { args: (i) => ['move', String(w.pid), '--range', range, '--to', String(1 + (i % 2))], traces: false },
      { args: (i) => ['set', String(w.pid), `bind=${2 + (i % 2)}`, '--range', range, '--move'], traces: true },
      { args: (i) => ['set', String(w.pid), i % 2 ? 'default' : 'bind=1'], traces: true },
    ];
    for (const op of ops) {
      // How long one run takes (the first run of a stopping command also makes the park region).
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [NUMAPOL_BIN, ...op.args(1), ...(op.traces ? ['--json'] : [])], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const lengthMs = op.traces ? (JSON.parse(r.stdout) as { stop: { stoppedMs: number } }).stop.stoppedMs : performance.now() - t0;
      for (let i = 0; i < KILLS; i++) {
        await killMidway(w, op.args(i), lengthMs, op.traces);
        assert.equal(w.child.exitCode ?? w.child.signalCode, null, `the target died: ${op.args(i).join(' ')}`);
        assert.ok(untraced(w.pid), 'no thread left traced');
      }
    }
    assert.match(await w.stop(), /^verify ok/);
  } finally {
    w.kill();
  }
});

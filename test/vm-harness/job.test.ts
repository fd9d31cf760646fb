import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { envScript, guestEnv, shQuote } from '../vm/harness/job.js';
import { buildTopology } from '../vm/harness/topology.js';

test('shQuote survives sh for any string', () => {
  const strings = fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 20 });
  fc.assert(fc.property(strings, (ss) => {
    const script = ss.map((s) => `printf '%s\\0' ${shQuote(s)}`).join('\n');
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), ss);
  }), { numRuns: 20 });
});

test('the env script exports what the guest needs, and the topology as JSON', () => {
  const t = buildTopology({ nodes: 2, memMiB: [256], cpuless: [] });
  const vars = guestEnv({ PATH: '/usr/bin', HOME: '/root', NODE_OPTIONS: "--x='y'", SECRET: 'no' }, '/tmp/ci check', t);
  const r = spawnSync('sh', ['-c', `${envScript(vars)}\nprintf '%s\\n' "$PATH" "$NODE_OPTIONS" "$NUMAPOL_VM_CWD" "$NUMAPOL_VM_TOPOLOGY" "\${SECRET-unset}"`], { encoding: 'utf8', env: {} });
  const [path, nodeOptions, cwd, topo, secret] = r.stdout.split('\n');
  assert.equal(path, '/usr/bin');
  assert.equal(nodeOptions, "--x='y'");
  assert.equal(cwd, '/tmp/ci check');
  assert.deepEqual(JSON.parse(topo!), t);
  assert.equal(secret, 'unset');
});

test('colour is turned off in the guest when our output is not a terminal', () => {
  const t = buildTopology({ nodes: 1, memMiB: [256], cpuless: [] });
  assert.equal(guestEnv({}, '/', t, false)['NO_COLOR'], '1');
  assert.equal(guestEnv({}, '/', t, true)['NO_COLOR'], undefined);
  assert.equal(guestEnv({ FORCE_COLOR: '1' }, '/', t, false)['NO_COLOR'], undefined);
});

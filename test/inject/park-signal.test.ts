import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parkSignals } from '../../src/inject/park-signal.js';

const bit = (s: number): bigint => 1n << BigInt(s - 1);
const SIGHUP = 1, SIGPIPE = 13, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;
const ACT_WHEN_SENT = [9, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];

test('a process that ignores SIGPIPE and handles nothing parks with SIGPIPE, SIGCHLD, SIGURG or SIGWINCH', () => {
  assert.deepEqual(parkSignals(bit(SIGPIPE), 0n), { mask: bit(SIGPIPE) | bit(SIGCHLD) | bit(SIGURG) | bit(SIGWINCH), quiet: true });
});

test('a handled SIGCHLD is no candidate; SIGCONT and the stop signals never are, even ignored', () => {
  const p = parkSignals(bit(SIGCONT) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU) | bit(SIGHUP), bit(SIGCHLD));
  assert.deepEqual(p, { mask: bit(SIGHUP) | bit(SIGURG) | bit(SIGWINCH), quiet: true });
});

test('a process that ignores nothing and handles all three (Go) falls back to SIGURG, not quiet', () => {
  assert.deepEqual(parkSignals(0n, (1n << 64n) - 1n), { mask: bit(SIGURG), quiet: false });
});

test('property: every candidate is a standard signal that is ignored, or a default-ignore one without a handler; never one that acts when sent', () => {
  const mask64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  fc.assert(fc.property(mask64, mask64, (ign, cgt) => {
    const p = parkSignals(ign, cgt);
    assert.notEqual(p.mask, 0n);
    for (let s = 1; s <= 64; s++) {
      if ((p.mask & bit(s)) === 0n) continue;
      assert.ok(s <= 31, `signal ${s} is a standard one`);
      assert.ok(!ACT_WHEN_SENT.includes(s), `signal ${s} acts when sent`);
      const ignored = (ign & bit(s)) !== 0n;
      const quietDefault = [SIGCHLD, SIGURG, SIGWINCH].includes(s) && (cgt & bit(s)) === 0n;
      if (p.quiet) assert.ok(ignored || quietDefault, `signal ${s}: delivering it does nothing`);
      else assert.equal(s, SIGURG);
    }
  }));
});

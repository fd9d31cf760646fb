import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { statusDecimalAt, statusEffectiveUid, statusFieldAt, statusMaskAt, statusTextAt } from '../../src/procfs/status-fields.js';

const TEXT = 'Name:\tPid:\\nState:\tZ\nState:\tS (sleeping)\nTgid:\t41\nPid:\t42\nPPid:\t7\nTracerPid:\t0\nUid:\t1000\t1001\t1002\t1003\nSigPnd:\t0000000000000200\nSigIgn:\tffffffffffffffff\n';

test('a field is found at its own line only, never inside another name or a value', () => {
  // "Pid:" also ends "PPid:" and "TracerPid:", and the command name holds "Pid:" and an escaped newline.
  assert.equal(statusDecimalAt(TEXT, statusFieldAt(TEXT, 'Pid')), 42);
  assert.equal(statusDecimalAt(TEXT, statusFieldAt(TEXT, 'PPid')), 7);
  assert.equal(statusTextAt(TEXT, statusFieldAt(TEXT, 'State')), 'S (sleeping)');
  assert.equal(statusTextAt(TEXT, statusFieldAt(TEXT, 'Name')), 'Pid:\\nState:\tZ');
});

test('a field this kernel does not print reads as absent', () => {
  assert.equal(statusFieldAt(TEXT, 'Seccomp'), -1);
  assert.equal(statusDecimalAt(TEXT, -1), 0);
  assert.equal(statusTextAt(TEXT, -1), '');
  assert.equal(statusMaskAt(TEXT, -1), 0n);
  assert.equal(statusEffectiveUid('Name:\tx\n'), -1);
});

test('the effective uid is the second of the four', () => {
  assert.equal(statusEffectiveUid(TEXT), 1001);
  assert.equal(statusEffectiveUid('Uid:\t5\t0\t5\t5'), 0);
});

test('masks are read to all 64 bits, and stop at the end of the digits', () => {
  assert.equal(statusMaskAt(TEXT, statusFieldAt(TEXT, 'SigIgn')), (1n << 64n) - 1n);
  assert.equal(statusMaskAt(TEXT, statusFieldAt(TEXT, 'SigPnd')), 0x200n);
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (v, pad) => {
    const hex = pad ? v.toString(16).padStart(16, '0') : v.toString(16);
    const text = `SigBlk:\t${hex}\nSigIgn:\t0\n`;
    assert.equal(statusMaskAt(text, statusFieldAt(text, 'SigBlk')), v);
  }));
});

test('decimal values stop at the first non-digit', () => {
  fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('', ' kB', '\tx', '\n'), (n, tail) => {
    const text = `VmRSS:\t  ${n}${tail}`;
    assert.equal(statusDecimalAt(text, statusFieldAt(text, 'VmRSS')), n);
  }));
});

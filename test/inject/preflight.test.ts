import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readProcessFacts, type ProcessFacts } from '../../src/inject/preflight.js';
import { parseStatus } from '../../src/procfs/status.js';
import { fixture } from '../fixtures/fixture-path.js';

/** What the general status parser (procfs/) says the preflight's fields are: the oracle. */
function expected(pid: number, text: string): ProcessFacts {
  const s = parseStatus(text);
  const sigIgn = s.fields.SigIgn ?? '';
  const sigCgt = s.fields.SigCgt ?? '';
  return {
    pid,
    name: s.name || '?',
    state: s.state.charAt(0) || '?',
    tracerPid: s.tracerPid,
    uid: s.uid[1],
    seccomp: s.seccomp ?? 0,
    threads: Number.parseInt(s.fields.Threads ?? '0', 10) || 0,
    sigIgn: /^[0-9a-f]+$/.test(sigIgn) ? BigInt(`0x${sigIgn}`) : 0n,
    sigCgt: /^[0-9a-f]+$/.test(sigCgt) ? BigInt(`0x${sigCgt}`) : 0n,
  };
}

/** A root holding /proc/PID/status with `text`. */
function withStatus<T>(pid: number, text: string, fn: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'numapol-preflight-'));
  try {
    mkdirSync(join(root, 'proc', String(pid)), { recursive: true });
    writeFileSync(join(root, 'proc', String(pid), 'status'), text);
    return fn(`${root}/`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const hex16 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => v.toString(16).padStart(16, '0'));

describe('readProcessFacts', () => {
  it('agrees with the general status parser on live processes', () => {
    for (const pid of [process.pid, 1]) {
      const facts = readProcessFacts(pid);
      // The live file changes between two reads only in counters the facts do not hold.
      assert.deepEqual(facts, expected(pid, readFileSync(`/proc/${pid}/status`, 'latin1')));
    }
    assert.equal(readProcessFacts(process.pid).name, 'node');
  });

  it('agrees with it on a capture from the guest kernel', () => {
    const root = fixture('proc-guest-policies');
    const text = readFileSync(join(root, 'proc/244/status'), 'latin1');
    assert.deepEqual(readProcessFacts(244, `${root}/`), expected(244, text));
  });

  it('agrees with it on generated status files: any field order, missing fields, long mask lines', () => {
    const line = fc.oneof(
      fc.constantFrom('Umask:\t0022', 'Tgid:\t9', 'VmRSS:\t  1234 kB', 'Seccomp_filters:\t1', 'NoNewPrivs:\t0'),
      fc.integer({ min: 1, max: 4096 }).map((n) => `Cpus_allowed:\t${'ff,'.repeat(n)}ff`),
    );
    const wanted = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9 ():.-]{0,14}$/),
      state: fc.constantFrom('R (running)', 'S (sleeping)', 'D (disk sleep)', 't (tracing stop)', 'Z (zombie)'),
      tracer: fc.nat({ max: 4_194_304 }),
      uids: fc.array(fc.nat({ max: 65_535 }), { minLength: 4, maxLength: 4 }),
      threads: fc.integer({ min: 1, max: 100_000 }),
      sigIgn: hex16,
      sigCgt: hex16,
      seccomp: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }),
    });
    fc.assert(fc.property(wanted, fc.array(line, { maxLength: 6 }), fc.nat(), (w, extra, seed) => {
      const fields = [
        `State:\t${w.state}`, `TracerPid:\t${w.tracer}`, `Uid:\t${w.uids.join('\t')}`, `Threads:\t${w.threads}`, `SigIgn:\t${w.sigIgn}`, `SigCgt:\t${w.sigCgt}`,
        ...(w.seccomp === undefined ? [] : [`Seccomp:\t${w.seccomp}`]),
        ...extra,
      ];
      // Shuffle deterministically from the seed; Name stays first, as the kernel prints it.
      const order = fields.map((f, i) => ({ f, k: (seed * 31 + i * 17) % 97 })).sort((a, b) => a.k - b.k).map((x) => x.f);
      const text = `Name:\t${w.name}\n${order.join('\n')}\n`;
      withStatus(4242, text, (root) => assert.deepEqual(readProcessFacts(4242, root), expected(4242, text)));
    }), { numRuns: 60 });
  });

  it('reads a status file longer than its first buffer', () => {
    const text = `Name:\tbig\nState:\tS (sleeping)\nCpus_allowed:\t${'ffffffff,'.repeat(4000)}ff\nThreads:\t7\nSigIgn:\t8000000000001000\nSeccomp:\t2\n`;
    assert.ok(text.length > 32_768);
    withStatus(7, text, (root) => {
      const f = readProcessFacts(7, root);
      assert.equal(f.threads, 7);
      assert.equal(f.seccomp, 2);
      assert.equal(f.sigIgn, 0x8000000000001000n);
    });
  });

  it('says a missing process is gone', () => {
    withStatus(1, 'Name:\tx\n', (root) => assert.throws(() => readProcessFacts(999_999, root), { code: 'ESRCH' }));
  });
});

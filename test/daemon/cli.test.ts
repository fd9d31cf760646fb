// `numapol daemon` as its own process, the shipped bin: --check on the example and on bad
// files, a bad config at start, a rule that matches the daemon's own parent, a burst of a
// thousand short-lived processes, SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NUMAPOL_BIN } from '../helpers/bin.js';
import { EXAMPLE_AUTO, EXAMPLE_RULES } from './config/examples.js';

const skip = process.geteuid?.() !== 0 ? 'needs root (ptrace of any process, the process-events connector)' : false;


const dir = mkdtempSync(join(tmpdir(), 'numapol-daemon-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function numapol(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [NUMAPOL_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function status(socket: string): Promise<{ code: number; body: { managed: number; tracked: number; pid: number } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: '/v1/status' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch {
      // Not up yet.
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve({ code: c.exitCode, signal: c.signalCode });
    else c.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

describe('numapol daemon --check', () => {
  it("accepts the issue's example exactly as written", () => {
    const file = join(dir, 'example.yaml');
    writeFileSync(file, EXAMPLE_RULES);
    const r = numapol(['daemon', '--check', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /example\.yaml: ok \(4 rules\)$/m);
  });

  it("accepts the placement issue's example exactly as written", () => {
    const file = join(dir, 'auto.yaml');
    writeFileSync(file, EXAMPLE_AUTO);
    const r = numapol(['daemon', '--check', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /auto\.yaml: ok \(2 rules\)$/m);
  });

  it('refuses a bad file with exit 2 and the located error on stderr', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'mode: enforce\nrules:\n  - name: x\n    match: { comm: "a" }\n    policy: bind=zero\n');
    const r = numapol(['daemon', '--check', file]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^numapol: ${file.replace(/[.]/g, '\\.')}: rules\\[0\\]\\.policy: .+ \\(line 5, column 13\\)\\n$`));
    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'mode: enforce\nrescna: 5s\n');
    const t = numapol(['daemon', '--check', typo]);
    assert.equal(t.status, 2);
    assert.match(t.stderr, /rescna: unknown key "rescna": did you mean "rescan"\? \(line 2, column 1\)/);
  });

  it('prints the JSON Schema', () => {
    const r = numapol(['daemon', '--schema']);
    assert.equal(r.status, 0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    for (const k of ['mode', 'rescan', 'journal', 'migrate-rate', 'rules']) assert.ok(k in schema.properties, k);
  });
});

describe('numapol daemon, the process', { skip }, () => {
  it('a bad config at start: exit 2 with the located error, nothing listening', () => {
    const file = join(dir, 'bad-start.yaml');
    writeFileSync(file, 'rules:\n  - name: x\n    match: { comm: "a" }\n    polcy: bind=0\n');
    const r = numapol(['daemon', '--config', file, '--socket', join(dir, 'never.sock')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rules\[0\]\.polcy: unknown key "polcy": did you mean "policy"\? \(line 4, column 5\)\n$/);
  });

  it("survives a rule that matches its own parent, and a burst of 1,000 short-lived processes; SIGTERM exits 0", async () => {
    const socket = join(dir, 'd.sock');
    const burst = join(dir, 'np-burst');
    copyFileSync('/bin/true', burst);
    const file = join(dir, 'live.yaml');
    writeFileSync(
      file,
      `rescan: 1s
journal: ${join(dir, 'journal.db')}
rules:
  - name: parent
    match: { pid: [${process.pid}] }
    policy: prefer=0
  - name: burst
    match: { comm: "np-burst" }
    policy: bind=0
`,
    );
    const d = spawn(process.execPath, [NUMAPOL_BIN, 'daemon', '--config', file, '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    d.stderr!.on('data', (x: Buffer) => (log += x.toString()));
    try {
      await until('the daemon to answer', async () => ((await status(socket)).code === 200 ? true : undefined));
      // Its parent (this test process) got the rule's policy: read it from our own /proc.
      await until('the parent rule', () => (/ prefer:0 /.test(readFileSync(`/proc/${process.pid}/task/${process.pid}/numa_maps`, 'utf8')) ? true : undefined));

      const b = spawnSync('sh', ['-c', `for i in $(seq 1000); do ${burst} & done; wait`], { timeout: 120_000 });
      assert.equal(b.status, 0);
      const s = await until('the daemon to settle', async () => {
        const x = await status(socket);
        return x.body.tracked < 1000 ? x : undefined;
      });
      assert.equal(s.code, 200, 'it still answers');
      const j = numapol(['journal', '--socket', socket, '--rule', 'burst', '--limit', '5000', '--json']);
      assert.equal(j.status, 0, j.stderr);
      const entries = JSON.parse(j.stdout) as { outcome: string; error: string | null }[];
      const odd = entries.filter((e) => e.outcome !== 'ok' && e.outcome !== 'gone');
      assert.deepEqual(odd, [], 'short-lived processes end as ok or gone, nothing else');
      const outcomes = new Set(entries.map((e) => e.outcome));
      assert.ok(!outcomes.has('running'));

      d.kill('SIGTERM');
      const e = await exited(d);
      assert.deepEqual(e, { code: 0, signal: null }, log);
      assert.match(log, /numapol daemon stopped/);
    } finally {
      d.kill('SIGKILL');
      // The parent rule changed this process's policy: put it back for the tests after this one.
      spawnSync(process.execPath, [NUMAPOL_BIN, 'set', String(process.pid), 'default']);
    }
  });
});

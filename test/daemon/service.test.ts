// The daemon as users run it, on this machine (root, one node): a rule applies a policy to a real
// process at exec, seen in the process's own /proc; the journal, undo, plan and status through the
// shipped CLI; /metrics parsed as Prometheus text and checked against /sys and /proc; the TCP
// listener's token; a reload with a bad file keeps the running rules.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startService, type Service } from '../../src/daemon/service.js';
import { buildTarget } from '../targets/build.js';
import { NUMAPOL_BIN } from '../helpers/bin.js';

const skip = process.geteuid?.() !== 0 ? 'needs root (ptrace of any process, the process-events connector)' : false;

/** Runs the shipped CLI without blocking this process (the daemon under test lives here). */
function cli(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [NUMAPOL_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function http(opts: { socketPath?: string; port?: number; path: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...(opts.socketPath ? { socketPath: opts.socketPath } : { host: '127.0.0.1', port: opts.port }), path: opts.path, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The policy numa_maps shows for the VMA holding `addr`-less anonymous memory: the main thread's view of its heap-like VMAs. */
function policiesOf(pid: number): Set<string> {
  const text = readFileSync(`/proc/${pid}/task/${pid}/numa_maps`, 'utf8');
  return new Set(text.split('\n').filter((l) => / anon=/.test(l)).map((l) => l.split(' ')[1]!));
}

describe('numapol daemon on this machine', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-svc-'));
  const config = join(dir, 'numapol.yaml');
  const socket = join(dir, 'numapol.sock');
  const tokenFile = join(dir, 'token');
  const token = 'test-token-0123456789abcdef0123456789';
  const bin = buildTarget('alloc-report');
  let port = 0;
  let svc: Service;
  let target: ChildProcess;

  before(async () => {
    port = await freePort();
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    writeFileSync(
      config,
      `mode: enforce
rescan: 1s
journal: ${join(dir, 'journal.db')}
http: { listen: "127.0.0.1:${port}", token-file: ${tokenFile} }
metrics: { top-processes: 5 }
rules:
  - name: reports
    match: { comm: "alloc-report*" }
    policy: bind=0
`,
    );
    svc = await startService({ configPath: config, socket, warmUp: false, log: { info() {}, warn() {}, error() {}, debug() {} } });
  });
  after(async () => {
    target?.kill('SIGKILL');
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the rule to a process as it starts; the journal says so', async () => {
    target = spawn(bin, ['16', '600'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = target.pid!;
    const entry = await until('the rule to act', () => svc.daemon.journalEntries({ pid }).find((e) => e.outcome !== 'running'));
    assert.deepEqual([entry.rule, entry.action, entry.outcome, entry.source], ['reports', 'policy', 'ok', 'rule']);
    // The target's own threads report the new policy: every anonymous VMA without a policy of its own shows the task policy.
    await until('the target to allocate', () => (policiesOf(pid).size > 0 ? true : undefined));
    assert.deepEqual([...policiesOf(pid)], ['bind:0']);
  });

  it('journal, plan, status and undo through the shipped CLI', async () => {
    const pid = target.pid!;
    const j = await cli(['journal', '--socket', socket, '--pid', String(pid), '--json']);
    assert.equal(j.status, 0, j.stderr);
    const entries = JSON.parse(j.stdout) as { id: number; time: string; pid: number; comm: string; rule: string; action: string; outcome: string }[];
    assert.equal(entries.length, 1, JSON.stringify(entries, null, 1));
    const e = entries[0]!;
    for (const k of ['id', 'time', 'pid', 'comm', 'rule', 'action', 'outcome'] as const) assert.ok(k in e, `journal --json has ${k}`);
    assert.match(e.comm, /^alloc-report/);
    const human = await cli(['journal', '--socket', socket, '--pid', String(pid)]);
    assert.match(human.stdout, /^\s*ID\s+TIME\s+PID\s+COMM\s+RULE\s+ACTION\s+OUTCOME/);
    assert.match(human.stdout, /reports\s+policy bind=0\s+ok/);

    const plan = await cli(['plan', '--socket', socket, '--json']);
    const planned = JSON.parse(plan.stdout) as { actions: unknown[]; placement: { time: string | null; decisions: unknown[] } };
    assert.deepEqual(planned.actions, []);
    assert.deepEqual(planned.placement.decisions, [], 'no place: auto rule: no placement decision');
    const status = await cli(['daemon', 'status', '--socket', socket, '--json']);
    assert.equal(status.status, 0, status.stderr);
    assert.ok((JSON.parse(status.stdout) as { status: { managed: number } }).status.managed >= 1);

    const u = await cli(['undo', String(e.id), '--socket', socket, '--json']);
    assert.equal(u.status, 0, u.stderr);
    assert.equal((JSON.parse(u.stdout) as { undoes: number }).undoes, e.id);
    assert.deepEqual([...policiesOf(pid)], ['default'], 'the policy the process had before');
    const again = await cli(['undo', String(e.id), '--socket', socket]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, new RegExp(`^numapol: entry ${e.id} was undone already`));
  });

  it('/metrics parses as Prometheus text; values agree with /sys and /proc', async () => {
    const pid = target.pid!;
    const res = await http({ socketPath: socket, path: '/metrics' });
    assert.equal(res.status, 200);
    const families = parsePrometheusTextFormat(res.body);
    const family = (name: string) => families.find((f) => f.name === name);
    for (const name of [
      'numapol_node_memory_total_bytes',
      'numapol_node_memory_free_bytes',
      'numapol_node_memory_used_bytes',
      'numapol_process_memory_bytes',
      'numapol_process_local_ratio',
      'numapol_actions_total',
      'numapol_pages_migrated_total',
      'numapol_pages_failed_total',
      'numapol_process_stop_seconds',
      'numapol_rescan_seconds',
      'numapol_rule_matches_total',
      'numapol_connector_overruns_total',
    ]) {
      assert.ok(family(name), `${name} is exported`);
    }
    const total = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/sys/devices/system/node/node0/meminfo', 'utf8'))![1]) * 1024;
    const node0 = family('numapol_node_memory_total_bytes')!.metrics.find((m) => m.labels?.['node'] === '0');
    assert.equal(Number(node0?.value), total);
    const kinds = family('numapol_node_memory_used_bytes')!.metrics.filter((m) => m.labels?.['node'] === '0').map((m) => m.labels?.['kind']);
    assert.deepEqual(kinds.sort(), ['anon', 'file', 'huge']);
    // The target is managed: it has its series. Its bytes on node 0 are what its numa_maps says.
    const mine = family('numapol_process_memory_bytes')!.metrics.find((m) => m.labels?.['pid'] === String(pid) && m.labels?.['node'] === '0');
    const pages = readFileSync(`/proc/${pid}/numa_maps`, 'utf8')
      .split('\n')
      .map((l) => [/ N0=(\d+)/.exec(l)?.[1], / kernelpagesize_kB=(\d+)/.exec(l)?.[1]] as const)
      .reduce((s, [n, kb]) => s + Number(n ?? 0) * Number(kb ?? 4) * 1024, 0);
    assert.equal(Number(mine?.value), pages);
    const local = family('numapol_process_local_ratio')!.metrics.find((m) => m.labels?.['pid'] === String(pid));
    assert.equal(Number(local?.value), 1, 'one node: all of it is local');
    const acted = family('numapol_actions_total')!.metrics.find((m) => m.labels?.['action'] === 'policy' && m.labels?.['outcome'] === 'ok');
    assert.ok(Number(acted?.value) >= 1);
    const stops = family('numapol_process_stop_seconds')!;
    assert.equal(stops.type, 'HISTOGRAM');
    assert.ok(Number((stops.metrics[0] as { count?: string }).count) >= 1, 'the policy change stopped the process once at least');
  });

  it('over TCP every route needs the token', async () => {
    assert.equal((await http({ port, path: '/v1/status' })).status, 401);
    assert.equal((await http({ port, path: '/metrics' })).status, 401);
    assert.equal((await http({ port, path: '/v1/status', headers: { authorization: `Bearer ${token}` } })).status, 200);
  });

  it('a reload with a bad file keeps the running rules, and a good one takes over', async () => {
    const good = readFileSync(config, 'utf8');
    // Wrong on any machine (this one has a single node, where naming other nodes only warns).
    writeFileSync(config, good.replace('policy: bind=0', 'policy: bind=zero'));
    const bad = svc.reload();
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /rules\[0\]\.policy: .*\(line 9, column 13\)$/);
    assert.deepEqual(svc.daemon.rules().map((r) => r.rule), [{ name: 'reports', match: { comm: 'alloc-report*' }, policy: 'bind=0' }]);
    writeFileSync(config, good.replace('policy: bind=0', 'policy: prefer=0'));
    assert.equal(svc.reload().ok, true);
    assert.deepEqual(svc.daemon.rules().map((r) => (r.rule as { policy: string }).policy), ['prefer=0']);
  });
});

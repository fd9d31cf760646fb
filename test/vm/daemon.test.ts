// The batch process manager in the 4-node guest: `numapol daemon` (the shipped bin) acts by its
// rules on real processes, and each result is checked in the target's own /proc (the target asks
// move_pages where its pages are, and checks every word of its memory).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DaemonProcess, until } from '../helpers/daemon-process.js';
import { RuleTarget } from '../targets/rule-target.js';
import { topologyFromEnv } from './harness/topology.js';

const topology = topologyFromEnv();
const skip = !topology ? 'not inside the test bed (NUMAPOL_VM_TOPOLOGY unset)' : topology.nodes.length < 4 ? 'needs 4 nodes' : false;

interface Entry {
  id: number;
  pid: number;
  start: number;
  rule: string | null;
  action: string;
  outcome: string;
  mode: string;
  undoneBy: number | null;
  result: { durationMs?: number; steps?: number; longestStepMs?: number; tally?: { moved: number } } | null;
}

/** The VMA policy numa_maps shows for the VMA holding the target's memory. */
function vmaPolicyOf(pid: number, kind: 'heap' | 'anon'): string {
  const lines = readFileSync(`/proc/${pid}/numa_maps`, 'utf8').split('\n');
  const line = kind === 'heap' ? lines.find((l) => / heap /.test(l)) : lines.filter((l) => / anon=/.test(l) && !/ heap | stack /.test(l)).sort((a, b) => Number(/anon=(\d+)/.exec(b)?.[1]) - Number(/anon=(\d+)/.exec(a)?.[1]))[0];
  return line?.split(' ')[1] ?? '?';
}

function entries(d: DaemonProcess, q: string): Promise<Entry[]> {
  return d.get<Entry[]>(`/v1/journal?${q}`);
}

async function settled(d: DaemonProcess, pid: number, n: number): Promise<Entry[]> {
  return until(`${n} finished entries for pid ${pid}`, async () => {
    const e = (await entries(d, `pid=${pid}`)).filter((x) => x.outcome !== 'running');
    return e.length >= n ? e : undefined;
  }, 300_000);
}

describe('numapol daemon in the 4-node guest', { skip }, () => {
  const d = new DaemonProcess();
  const targets: RuleTarget[] = [];
  const start = async (...a: Parameters<typeof RuleTarget.start>): Promise<RuleTarget> => {
    const t = await RuleTarget.start(...a);
    targets.push(t);
    return t;
  };
  const rules = (body: string, head = 'mode: enforce'): void =>
    d.write(`${head}\nrescan: 1s\njournal: \${JOURNAL}\nrules:\n${body}`);

  before(async () => {
    rules(`  - name: at-exec\n    match: { comm: "rule-target-c*", cmdline: " wait$" }\n    policy: bind=2\n`);
    await d.start();
  });
  after(async () => {
    for (const t of targets) t.kill();
    await d.dispose();
  });

  it('a rule applies its policy right after exec, before the program allocates: every page on node 2', async () => {
    const t = await start('anon', 32, { wait: true });
    const r = await t.report();
    assert.equal(r.policy, 'bind');
    assert.deepEqual(r.nodes, { '2': t.pages }, JSON.stringify(r));
    const [e] = await settled(d, t.pid, 1);
    assert.deepEqual([e!.rule, e!.action, e!.outcome], ['at-exec', 'policy', 'ok']);
  });

  it('a VMA rule with move: the heap gets the policy and its pages move; undo puts both back', async () => {
    const t = await start('heap', 16, { wrap: ['numactl', '--membind=0'] });
    assert.deepEqual((await t.report()).nodes, { '0': t.pages });
    // numa_maps shows the task policy (numactl's bind:0) for a VMA without a policy of its own.
    const had = vmaPolicyOf(t.pid, 'heap');
    rules(`  - name: heap-to-1\n    match: { pid: [${t.pid}] }\n    vmas:\n      heap: { policy: bind=1, move: true }\n`);
    await d.reload();
    const [e] = await settled(d, t.pid, 1);
    assert.deepEqual([e!.rule, e!.action, e!.outcome], ['heap-to-1', 'vma-policy', 'ok']);
    assert.equal(vmaPolicyOf(t.pid, 'heap'), 'bind:1');
    assert.deepEqual((await t.report()).nodes, { '1': t.pages });
    const u = await d.post<Entry>(`/v1/undo/${e!.id}`);
    assert.equal(u.status, 200, JSON.stringify(u.body));
    assert.equal(u.body.outcome, 'ok', JSON.stringify(u.body.result));
    assert.equal(vmaPolicyOf(t.pid, 'heap'), had, 'the VMA policy it had');
    assert.deepEqual((await t.report()).nodes, { '0': t.pages }, 'every page back where it was');
    assert.equal(await t.verify(), 'verify ok');
  });

  it('a migrate rule with a rate: no faster than the rate, and not much slower than the unpaced move', async () => {
    const mib = 48;
    const rate = 16e6;
    // The unpaced reference, in this run: the same bytes moved by the API with no rate.
    const ref = await start('anon', mib, { wrap: ['numactl', '--membind=0'] });
    const refMove = await d.post<Entry>('/v1/migrate', { pid: ref.pid, from: '0', to: '3' });
    assert.equal(refMove.body.outcome, 'ok');
    const unpacedMs = refMove.body.result!.durationMs!;

    const t = await start('anon', mib, { wrap: ['numactl', '--membind=0'] });
    rules(`  - name: drain-0\n    match: { pid: [${t.pid}] }\n    migrate: { from: 0, to: 3, rate: 16MB/s }\n`);
    await d.reload();
    const [e] = await settled(d, t.pid, 1);
    assert.deepEqual([e!.rule, e!.action, e!.outcome], ['drain-0', 'migrate', 'ok']);
    assert.deepEqual((await t.report()).nodes, { '3': t.pages });
    const bytes = t.pages * 4096;
    const ms = e!.result!.durationMs!;
    // The pacer keeps the cumulative rate: the last step may end early by at most one step.
    const stepMs = ((bytes / e!.result!.steps!) / rate) * 1000;
    assert.ok(ms >= (bytes / rate) * 1000 - stepMs, `${bytes} bytes in ${ms.toFixed(0)} ms: no faster than ${rate / 1e6} MB/s`);
    assert.ok(ms <= (bytes / rate) * 1000 + 3 * unpacedMs + 1000, `${ms.toFixed(0)} ms: the rate's time plus the unpaced move's own (${unpacedMs.toFixed(0)} ms)`);
    assert.equal(await t.verify(), 'verify ok');

    // Undo: every page back to node 0.
    const u = await d.post<Entry>(`/v1/undo/${e!.id}`);
    assert.equal(u.body.outcome, 'ok', JSON.stringify(u.body));
    assert.deepEqual((await t.report()).nodes, { '0': t.pages });
    assert.equal(await t.verify(), 'verify ok');
  });

  it('advise changes nothing, and says what it would do', async () => {
    const t = await start('anon', 16, { wrap: ['numactl', '--membind=0'] });
    rules(`  - name: would-move\n    match: { pid: [${t.pid}] }\n    policy: interleave=all\n    migrate: { from: 0, to: 2 }\n`, 'mode: advise');
    await d.reload();
    const e = await settled(d, t.pid, 2);
    assert.deepEqual(e.map((x) => [x.action, x.mode, x.outcome]).sort(), [['migrate', 'advise', 'advised'], ['policy', 'advise', 'advised']]);
    const plan = await d.get<{ pid: number; state: string }[]>('/v1/plan');
    assert.deepEqual(plan.filter((p) => p.pid === t.pid).map((p) => p.state), ['advised', 'advised']);
    const r = await t.report();
    assert.deepEqual([r.policy, r.nodes], ['bind', { '0': t.pages }], 'its policy and pages as numactl left them');
  });

  it('a restart keeps the journal and does not act twice on the same process; a reused pid is a new process', async () => {
    const t = await start('anon', 8);
    rules(`  - name: once\n    match: { comm: "rule-target-c*", cmdline: " anon 8$" }\n    policy: prefer=1\n`);
    await d.reload();
    const [first] = await settled(d, t.pid, 1);
    assert.equal(first!.outcome, 'ok');
    assert.equal(await d.stop(), 0, 'SIGTERM exits 0');
    await d.start();
    await d.get('/v1/status');
    // Two rescans later, still one entry for it.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await entries(d, `pid=${t.pid}`)).length, 1);
    assert.equal((await entries(d, `pid=${t.pid}`))[0]!.id, first!.id, 'the same entry, kept across the restart');

    // The same pid for another process: ask the kernel to hand out that pid next.
    const pid = t.pid;
    t.kill();
    await until('the old process to be reaped', () => (existsPid(pid) ? undefined : true));
    let again: RuleTarget | undefined;
    for (let i = 0; i < 20 && again?.pid !== pid; i++) {
      again?.kill();
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      again = await start('anon', 8);
    }
    assert.equal(again?.pid, pid, 'the pid came back');
    const mine = await settled(d, pid, 2);
    assert.equal(new Set(mine.map((x) => x.start)).size, 2, 'two processes, two start times, each acted on once');
  });

  it('a reload with a bad file keeps the running rules', async () => {
    const good = readFileSync(d.config, 'utf8');
    writeFileSync(d.config, `${good}  - name: broken\n    match: { comm: "x" }\n    policy: bind=9\n`);
    await d.reload();
    assert.match(d.log, /node 9 does not exist: this machine has nodes 0-3 \(line \d+, column 13\)","msg":"configuration not reloaded/);
    const names = (await d.get<{ name: string }[]>('/v1/rules')).map((r) => r.name);
    assert.deepEqual(names, ['once']);
  });
});

function existsPid(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

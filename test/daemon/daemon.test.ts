// The daemon's core on a pretend machine: which rule a process gets, that each action runs once
// per process (across events, rescans, restarts), identity by (pid, start), advise mode, undo.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/daemon/config/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { openJournal, type Journal } from '../../src/daemon/journal/index.js';
import { compileConfig } from '../../src/daemon/rules/compile.js';
import { machineRoot } from './config/helpers.js';
import { FakeMachine, FakeRunner, facts, now } from './fakes.js';

const ROOT = machineRoot('sys-guest-4node');

function compiled(yaml: string) {
  return compileConfig(parseConfigText(yaml, 'test.yaml', { root: ROOT }).config);
}

const RULES = `
mode: enforce
rules:
  - name: keep-out
    match: { comm: "secret*" }
    exclude: true
  - name: cache
    match: { comm: "memcached" }
    policy: interleave=0-3
  - name: batch
    match: { exe: "/opt/batch/bin/*", cmdline: "--big" }
    cpus: { nodes: 2-3 }
    vmas:
      heap: { policy: bind=2-3, move: true }
  - name: big
    match: { comm: "grow*", min-rss: 100MB }
    policy: bind=1
`;

interface Rig {
  machine: FakeMachine;
  runner: FakeRunner;
  journal: Journal;
  daemon: Daemon;
}

function rig(yaml = RULES, o: { machine?: FakeMachine; journal?: Journal; self?: number } = {}): Rig {
  const machine = o.machine ?? new FakeMachine();
  const runner = new FakeRunner();
  const journal = o.journal ?? openJournal(':memory:');
  const daemon = new Daemon({ config: compiled(yaml), source: machine, journal, self: o.self ?? 999_999, run: runner.run, undo: runner.undo });
  return { machine, runner, journal, daemon };
}

describe('Daemon', () => {
  it('applies the first matching rule at exec, once, in the order CPUs, policy, VMAs', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.add(facts(101, { comm: 'solver', exe: '/opt/batch/bin/solver', cmdline: ['solver', '--big'] }));
    r.machine.add(facts(102, { comm: 'solver', exe: '/opt/batch/bin/solver', cmdline: ['solver', '--small'] }));
    r.machine.add(facts(103, { comm: 'secretd' }));
    await r.daemon.idle();
    assert.deepEqual(
      r.runner.runs.map((x) => [x.pid, x.action.kind]),
      [
        [100, 'policy'],
        [101, 'cpus'],
        [101, 'vma-policy'],
      ],
    );
    // Events and rescans again: nothing runs twice.
    r.machine.emit([{ kind: 'comm', pid: 100, tid: 100, comm: 'memcached', ns: now() }]);
    r.daemon.rescan('rescan');
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 3);
    const entries = r.journal.list({ order: 'oldest' });
    assert.deepEqual(entries.map((e) => [e.pid, e.rule, e.action, e.outcome]), [
      [100, 'cache', 'policy', 'ok'],
      [101, 'batch', 'cpus', 'ok'],
      [101, 'batch', 'vma-policy', 'ok'],
    ]);
    assert.deepEqual(entries[0]!.before, { threads: [{ tid: 100, policy: 'default' }] }, 'the state before is journaled with the finish');
    const views = new Map(r.daemon.processes().map((p) => [p.pid, p]));
    assert.equal(views.get(103)?.state, 'excluded');
    assert.equal(views.get(102), undefined, 'no rule matches the small solver');
    await r.daemon.stop();
  });

  it('never touches kernel threads, itself, or PID 1 unless a rule names it', async () => {
    const r = rig(`rules:\n  - name: all\n    match: { comm: "*" }\n    policy: bind=0\n`, { self: 50 });
    r.machine.add(facts(1, { comm: 'init' }), 'none');
    r.machine.add(facts(2, { comm: 'kthreadd', kernelThread: true, exe: null, cmdline: [] }), 'none');
    r.machine.add(facts(50, { comm: 'node' }), 'none');
    r.machine.add(facts(60, { comm: 'bash' }), 'none');
    r.daemon.start();
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [60]);
    const states = new Map(r.daemon.processes(true).map((p) => [p.pid, p.state]));
    assert.equal(states.get(1), 'untouchable');
    assert.equal(states.get(2), 'untouchable');
    assert.equal(states.get(50), 'untouchable');
    await r.daemon.stop();

    const named = rig(`rules:\n  - name: init\n    match: { pid: 1 }\n    policy: bind=0\n`);
    named.machine.add(facts(1, { comm: 'init' }), 'none');
    named.daemon.start();
    await named.daemon.idle();
    assert.deepEqual(named.runner.runs.map((x) => x.pid), [1]);
    await named.daemon.stop();
  });

  it('a restarted daemon does not act twice on the same process, and acts on a reused pid', async () => {
    const journal = openJournal(':memory:');
    const machine = new FakeMachine();
    machine.add(facts(100, { comm: 'memcached' }), 'none');
    const first = rig(RULES, { machine, journal });
    first.daemon.start();
    await first.daemon.idle();
    assert.equal(first.runner.runs.length, 1);
    await first.daemon.stop();

    const second = rig(RULES, { machine, journal });
    second.daemon.start();
    await second.daemon.idle();
    assert.equal(second.runner.runs.length, 0, 'the journal says the policy was set on this (pid, start)');

    // The same pid, another process (another start time).
    machine.exit(100);
    machine.add(facts(100, { comm: 'memcached', start: 5555 }));
    await second.daemon.idle();
    assert.deepEqual(second.runner.runs.map((x) => x.pid), [100]);
    assert.equal(journal.list().filter((e) => e.pid === 100 && e.start === 5555).length, 1);
    await second.daemon.stop();
  });

  it('a pid reused between the event and the action: journaled as gone, nothing run', async () => {
    const r = rig();
    r.daemon.start();
    // The next stop waits for a token; meanwhile the process exits and its pid comes back.
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.procs.set(100, facts(100, { comm: 'memcached', start: 7777 }));
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 0);
    assert.deepEqual(r.journal.list().map((e) => [e.pid, e.start, e.outcome]), [[100, 1100, 'gone']]);
    await r.daemon.stop();
  });

  it('a process that exits mid-action is journaled as gone', async () => {
    const r = rig();
    r.runner.outcome = () => 'gone';
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    await r.daemon.idle();
    assert.deepEqual(r.journal.list().map((e) => [e.action, e.outcome]), [['policy', 'gone']]);
    await r.daemon.stop();
  });

  it('advise mode journals what it would do and runs nothing; plan shows it', async () => {
    const r = rig(RULES.replace('mode: enforce', 'mode: advise'));
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    await r.daemon.idle();
    r.daemon.rescan('rescan');
    assert.equal(r.runner.runs.length, 0);
    assert.deepEqual(r.journal.list().map((e) => [e.pid, e.mode, e.outcome]), [[100, 'advise', 'advised']], 'advised once, not at every rescan');
    assert.deepEqual(r.daemon.plan().map((p) => [p.pid, p.rule, p.state, p.description]), [[100, 'cache', 'advised', 'policy interleave=0-3']]);
    await r.daemon.stop();
  });

  it('a rule may advise while the daemon enforces', async () => {
    const r = rig(RULES.replace('    policy: interleave=0-3', '    mode: advise\n    policy: interleave=0-3'));
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.add(facts(101, { comm: 'solver', exe: '/opt/batch/bin/solver', cmdline: ['solver', '--big'] }));
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [101, 101]);
    assert.equal(r.journal.list({ pid: 100 })[0]?.outcome, 'advised');
    await r.daemon.stop();
  });

  it('a forked child inherits what its parent has: nothing runs until it execs', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    await r.daemon.idle();
    r.machine.add(facts(101, { comm: 'memcached', ppid: 100 }), 'fork', 100);
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [100]);
    assert.equal(r.daemon.process(101)?.rule, 'cache');
    // exec: a new program, the rule's actions run for it.
    r.machine.emit([{ kind: 'exec', pid: 101, tid: 101, ns: now() }]);
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [100, 101]);
    await r.daemon.stop();
  });

  it('events handled after the fact: a fork seen once the child has exec\'d acts once, not again at the exec event', async () => {
    const r = rig();
    r.daemon.start();
    // The kernel queued fork then exec; by the time the daemon reads /proc for the fork, the
    // child already runs the new program.
    const forkNs = now();
    const execNs = now();
    r.machine.procs.set(100, facts(100, { comm: 'memcached' }));
    r.machine.emit([
      { kind: 'fork', pid: 100, tid: 100, parentPid: 1, parentTid: 1, ns: forkNs },
      { kind: 'exec', pid: 100, tid: 100, ns: execNs },
    ]);
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [100]);
    // A later exec (a new program) is a new image: the rule acts for it.
    r.machine.emit([{ kind: 'exec', pid: 100, tid: 100, ns: now() }]);
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => x.pid), [100, 100]);
    await r.daemon.stop();
  });

  it('a process that grows past min-rss is found by a rescan', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'grower', rssBytes: 10e6 }));
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 0);
    r.machine.procs.set(100, facts(100, { comm: 'grower', rssBytes: 200e6 }));
    r.daemon.rescan('rescan');
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.map((x) => [x.pid, x.action.kind]), [[100, 'policy']]);
    await r.daemon.stop();
  });

  it('after a connector overrun the rescan checks every identity', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    await r.daemon.idle();
    // pid 100 exits and comes back as another memcached while events are lost.
    r.machine.procs.set(100, facts(100, { comm: 'memcached', start: 4242 }));
    r.daemon.rescan('rescan');
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 1, 'without an overrun the table is trusted');
    r.machine.overrunNow();
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 2, 'the overrun made the rescan see the new process');
    assert.equal(r.daemon.status().overruns, 1);
    await r.daemon.stop();
  });

  it('without a connector it works by rescans alone', async () => {
    const machine = new FakeMachine();
    machine.connector = false;
    const r = rig(RULES, { machine });
    r.daemon.start();
    assert.equal(r.daemon.status().connector, 'unavailable');
    machine.add(facts(100, { comm: 'memcached' }));
    r.daemon.rescan('rescan');
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 1);
    await r.daemon.stop();
  });

  it('undo puts back an entry of the same process, once, and refuses a reused pid', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    await r.daemon.idle();
    const [entry] = r.journal.list();
    assert.ok(entry);
    const u = await r.daemon.undo(entry.id);
    assert.equal(u.action, 'undo');
    assert.equal(u.undoes, entry.id);
    assert.equal(r.journal.get(entry.id)?.undoneBy, u.id);
    assert.deepEqual(r.runner.undos[0]?.before, entry.before);
    await assert.rejects(r.daemon.undo(entry.id), /was undone already/);
    await assert.rejects(r.daemon.undo(u.id), /is itself an undo/);
    await assert.rejects(r.daemon.undo(12345), /does not exist/);

    r.machine.add(facts(101, { comm: 'memcached' }));
    await r.daemon.idle();
    const second = r.journal.list({ pid: 101 })[0]!;
    r.machine.procs.set(101, facts(101, { comm: 'memcached', start: 31337 }));
    await assert.rejects(r.daemon.undo(second.id), (e: Error & { code?: string }) => e.code === 'ESTALE');
    r.machine.exit(101);
    await assert.rejects(r.daemon.undo(second.id), (e: Error & { code?: string }) => e.code === 'ESRCH');
    await r.daemon.stop();
  });

  it('a reload acts for changed rules only', async () => {
    const r = rig();
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.add(facts(101, { comm: 'grower', rssBytes: 200e6 }));
    await r.daemon.idle();
    assert.equal(r.runner.runs.length, 2);
    r.daemon.reload(compiled(RULES.replace('interleave=0-3', 'interleave=0-1')));
    await r.daemon.idle();
    assert.deepEqual(r.runner.runs.slice(2).map((x) => [x.pid, x.action]), [[100, { kind: 'policy', policy: 'interleave=0-1' }]]);
    await r.daemon.stop();
  });

  it('restore-on-exit undoes its own actions on processes still running', async () => {
    const r = rig(`restore-on-exit: true\n${RULES}`);
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.add(facts(101, { comm: 'solver', exe: '/opt/batch/bin/solver', cmdline: ['solver', '--big'] }));
    await r.daemon.idle();
    r.machine.exit(101);
    const { restored } = await r.daemon.stop();
    assert.equal(restored, 1);
    assert.deepEqual(r.runner.undos.map((u) => u.pid), [100]);
    assert.ok(r.journal.list({ pid: 100 }).some((e) => e.source === 'shutdown' && e.action === 'undo'));
  });

  it('requests from the API are journaled with source api and refused for itself', async () => {
    const r = rig(RULES, { self: 77 });
    r.machine.add(facts(77), 'none');
    r.machine.add(facts(300), 'none');
    r.daemon.start();
    const e = await r.daemon.request({ pid: 300, action: { kind: 'policy', policy: 'bind=1' } });
    assert.deepEqual([e.source, e.rule, e.action, e.outcome], ['api', null, 'policy', 'ok']);
    await assert.rejects(r.daemon.request({ pid: 77, action: { kind: 'policy', policy: 'bind=1' } }), /does not act on itself/);
    await assert.rejects(r.daemon.request({ pid: 4040, action: { kind: 'policy', policy: 'bind=1' } }), /is gone/);
    await r.daemon.stop();
  });
  it('moves a job as one journal entry (its members as the daemon knows them), undone whole', async () => {
    const r = rig(`
mode: enforce
rules:
  - name: solvers
    match: { comm: "solver" }
    job: batch1
`);
    r.daemon.start();
    r.machine.add(facts(300, { comm: 'solver' }));
    r.machine.add(facts(301, { comm: 'solver' }));
    r.machine.add(facts(302, { comm: 'other' }));
    await r.daemon.idle();
    await assert.rejects(r.daemon.moveJob({ job: 'batch2', to: '2-3' }), /job 'batch2' does not exist: the jobs are batch1/);
    const e = await r.daemon.moveJob({ job: 'batch1', to: '2-3', from: '0-1' });
    assert.equal(e.outcome, 'ok');
    assert.equal(e.pid, null);
    assert.equal(e.action, 'job-move');
    assert.deepEqual(r.runner.runs.map((x) => x.action), [
      { kind: 'job-move', job: 'batch1', to: '2-3', from: '0-1', members: [{ pid: 300, start: 1300 }, { pid: 301, start: 1301 }] },
    ]);
    const u = await r.daemon.undo(e.id);
    assert.equal(u.undoes, e.id);
    assert.deepEqual(r.runner.undos.map((x) => x.action.kind), ['job-move']);
    assert.equal(r.journal.get(e.id)!.undoneBy, u.id);
    await r.daemon.stop();
  });
});

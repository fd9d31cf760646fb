import { UsageError } from '../../errors.js';
import type { JobView } from '../../daemon/daemon.js';
import type { JournalEntry } from '../../daemon/ports.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { callDaemon, socketPath } from '../daemon-client.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { journalTable } from '../journal-render.js';
import { formatTable } from '../table.js';

type JobResult = { readonly kind: 'list'; readonly jobs: readonly JobView[] } | { readonly kind: 'move'; readonly entry: JournalEntry };

/** What the journal keeps of a job move (daemon actions/execute.ts jobMoveSummary). */
interface MoveSummary {
  readonly method?: string;
  readonly members?: readonly { pid: number; gone: boolean }[];
  readonly notMoved?: number;
  readonly sharedPages?: number;
  readonly bytesMoved?: number;
  readonly durationMs?: number;
  readonly warnings?: readonly string[];
}

function renderMove(e: JournalEntry): string {
  const r = (e.result ?? {}) as MoveSummary;
  const lines = [journalTable([e])];
  if (e.outcome === 'ok' || e.outcome === 'partial') {
    const members = r.members?.length ?? 0;
    lines.push(
      '',
      `${members} process${members === 1 ? '' : 'es'} moved by ${r.method ?? 'move_pages'}: ${((r.bytesMoved ?? 0) / 2 ** 20).toFixed(1)} MiB in ${((r.durationMs ?? 0) / 1000).toFixed(1)} s, ${r.sharedPages ?? 0} shared pages moved once, ${r.notMoved ?? 0} pages stayed`,
      ...(r.warnings ?? []).map((w) => `warning: ${w}`),
      `undo: numapol undo ${e.id}`,
    );
  }
  return lines.join('\n');
}

export default defineCommand<JobResult>({
  name: 'job',
  summary: "The daemon's jobs: groups of processes placed together (a rule's `job: NAME`); list them, move one to other nodes.",
  usage: 'numapol job list [--socket PATH] [--json]\n       numapol job move NAME --to NODES [--from NODES] [--socket PATH] [--json]',
  options: {
    to: { type: 'string', valueName: 'NODES', description: 'move: the nodes the job goes to (node list: 2-3)' },
    from: { type: 'string', valueName: 'NODES', description: 'move: the nodes it leaves (default: where the job is told to be: its policies and pinned CPUs)' },
    ...SOCKET_OPTION,
  },
  details: `move goes through the daemon and is journaled as one entry; 'numapol undo ID' puts the whole job back.
Every node of FROM goes to its partner in TO (the k-th to the k-th): a job on bind=0-1 moved from 0-3 to 4-7
gets bind=4-5. Each thread's policy and each VMA policy is rewritten so, each thread's CPUs are remapped, and
every page on a FROM node moves to its partner at the daemon's migrate-rate, a page several members map
moved once. NAME may also be a cgroup v2 path (/batch/job1) with the cpuset controller: cpuset.cpus and
cpuset.mems move it then, and the kernel moves its pages inside the write, unpaced (docs/placement.md).
Exit status 1 when the move failed or some pages stayed.
JSON of list: {kind: "list", jobs: [{name, rules[], members[] {pid, start, comm}}]}.
JSON of move: {kind: "move", entry} with the daemon's journal entry (see 'numapol journal --help'); its
result has method, from, to, map [{from, to}], members [{pid, gone, tally, pagesBefore, pagesAfter}], tally,
flows, notMoved, sharedPages, moveCalls, bytesMoved, steps, longestStepMs, durationMs, warnings.`,
  exitCode: (r) => (r.kind === 'move' && r.entry.outcome !== 'ok' ? 1 : 0),
  run: async ({ positionals, values }) => {
    const sub = positionals[0];
    const socket = socketPath(optString(values, 'socket'));
    const to = optString(values, 'to');
    const from = optString(values, 'from');
    if (sub === 'list' || sub === undefined) {
      noExtraArgs(positionals, 1, 'job list');
      if (to !== undefined || from !== undefined) throw new UsageError('job list takes no --to or --from: they belong to job move');
      return { kind: 'list', jobs: await callDaemon<JobView[]>(socket, 'GET', '/v1/jobs') };
    }
    if (sub === 'move') {
      noExtraArgs(positionals, 2, 'job move');
      const name = positionals[1];
      if (name === undefined) throw new UsageError("job move: missing NAME (see 'numapol job list')");
      if (to === undefined) throw new UsageError('job move: give --to NODES, the nodes the job goes to');
      const entry = await callDaemon<JournalEntry>(socket, 'POST', `/v1/jobs/${encodeURIComponent(name)}/move`, { to, ...(from === undefined ? {} : { from }) });
      return { kind: 'move', entry };
    }
    throw new UsageError(`job: unknown subcommand '${sub}': use list or move`);
  },
  render: (r) => {
    if (r.kind === 'move') return renderMove(r.entry);
    return r.jobs.length === 0
      ? 'no jobs: no rule has a job: key'
      : formatTable(
          [{ header: 'JOB' }, { header: 'RULES' }, { header: 'PROCESSES', align: 'right' }, { header: 'PIDS' }],
          r.jobs.map((j) => [j.name, j.rules.join(','), String(j.members.length), j.members.map((m) => `${m.pid}(${m.comm})`).join(' ')]),
        );
  },
});

import { UsageError } from '../../errors.js';
import type { JobView } from '../../daemon/daemon.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { callDaemon, socketPath } from '../daemon-client.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { formatTable } from '../table.js';

type JobResult = { readonly kind: 'list'; readonly jobs: readonly JobView[] };

export default defineCommand<JobResult>({
  name: 'job',
  summary: "The daemon's jobs: groups of processes placed together (a rule's `job: NAME`).",
  usage: 'numapol job list [--socket PATH] [--json]',
  options: { ...SOCKET_OPTION },
  details: `JSON of list: {kind: "list", jobs: [{name, rules[], members[] {pid, start, comm}}]}.`,
  run: async ({ positionals, values }) => {
    const sub = positionals[0];
    const socket = socketPath(optString(values, 'socket'));
    if (sub === 'list' || sub === undefined) {
      noExtraArgs(positionals, 1, 'job list');
      return { kind: 'list', jobs: await callDaemon<JobView[]>(socket, 'GET', '/v1/jobs') };
    }
    throw new UsageError(`job: unknown subcommand '${sub}': use list`);
  },
  render: (r) =>
    r.jobs.length === 0
      ? 'no jobs: no rule has a job: key'
      : formatTable(
          [{ header: 'JOB' }, { header: 'RULES' }, { header: 'PROCESSES', align: 'right' }, { header: 'PIDS' }],
          r.jobs.map((j) => [j.name, j.rules.join(','), String(j.members.length), j.members.map((m) => `${m.pid}(${m.comm})`).join(' ')]),
        ),
});

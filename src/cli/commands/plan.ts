import { callDaemon, socketPath } from '../daemon-client.js';
import type { PlanItem } from '../../daemon/daemon.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { formatTable } from '../table.js';

export default defineCommand<PlanItem[]>({
  name: 'plan',
  summary: 'What the daemon would do now and has not done: advised actions (advise mode), queued and failed ones.',
  usage: 'numapol plan [--socket PATH] [--json]',
  options: { ...SOCKET_OPTION },
  details: `JSON: a list of items, each with pid, comm, rule, mode (enforce, advise), action (the action as data:
kind and its parameters), description, state (pending, queued, advised, failed).`,
  run: ({ positionals, values }) => {
    noExtraArgs(positionals, 0, 'plan');
    return callDaemon<PlanItem[]>(socketPath(optString(values, 'socket')), 'GET', '/v1/plan');
  },
  render: (items) =>
    items.length === 0
      ? 'nothing to do: every rule-matched process has what its rule asks for'
      : formatTable(
          [{ header: 'PID', align: 'right' }, { header: 'COMM' }, { header: 'RULE' }, { header: 'MODE' }, { header: 'STATE' }, { header: 'ACTION' }],
          items.map((i) => [String(i.pid), i.comm, i.rule, i.mode, i.state, i.description]),
        ),
});

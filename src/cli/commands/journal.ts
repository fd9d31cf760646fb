import { callDaemon, socketPath } from '../daemon-client.js';
import type { JournalEntry } from '../../daemon/ports.js';
import { noExtraArgs, optInt, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { journalTable } from '../journal-render.js';

export default defineCommand<JournalEntry[]>({
  name: 'journal',
  summary: "The daemon's journal: every action it took (or, in advise mode, would take), newest first.",
  usage: 'numapol journal [--pid PID] [--since TIME] [--rule NAME] [--limit N] [--socket PATH] [--json]',
  options: {
    pid: { type: 'string', valueName: 'PID', description: 'only entries about this process' },
    since: { type: 'string', valueName: 'TIME', description: 'only entries since TIME: 2026-12-05, 2026-12-05T10:00, 10m, 2h, 3d, 1w (ago), today, yesterday, @UNIXTIME' },
    rule: { type: 'string', valueName: 'NAME', description: 'only entries of this rule' },
    limit: { type: 'string', valueName: 'N', description: 'at most N entries (default 1000)' },
    ...SOCKET_OPTION,
  },
  details: `JSON: a list of entries, newest first, each with id, time (ISO 8601, UTC), pid, start (the process's
start time: with pid, its identity), comm, cgroup, rule (null for API requests), source (rule, api, undo,
shutdown, file), action (policy, vma-policy, cpus, migrate, shm-policy, undo), mode (enforce, advise),
params (what was asked), before (the state before: what undo puts back), result (the operation's report),
outcome (ok, partial, failed, gone, advised, skipped, running, interrupted), error, undoes, undoneBy.`,
  run: ({ positionals, values }) => {
    noExtraArgs(positionals, 0, 'journal');
    const q = new URLSearchParams();
    const pid = optInt(values, 'pid', 1);
    if (pid !== undefined) q.set('pid', String(pid));
    const since = optString(values, 'since');
    if (since !== undefined) q.set('since', since);
    const rule = optString(values, 'rule');
    if (rule !== undefined) q.set('rule', rule);
    q.set('limit', String(optInt(values, 'limit', 1) ?? 1000));
    return callDaemon<JournalEntry[]>(socketPath(optString(values, 'socket')), 'GET', `/v1/journal?${q.toString()}`);
  },
  render: (entries) => journalTable(entries),
});

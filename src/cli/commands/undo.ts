import { callDaemon, socketPath } from '../daemon-client.js';
import type { JournalEntry } from '../../daemon/ports.js';
import { intArg, noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { journalTable } from '../journal-render.js';

export default defineCommand<JournalEntry>({
  name: 'undo',
  summary: 'Put back what a journal entry changed, through the daemon, if its process is still the same one.',
  usage: 'numapol undo ID [--socket PATH] [--json]',
  options: { ...SOCKET_OPTION },
  details: `Policies come back exactly (threads born since get the main thread's old policy); moved pages go
back to the node each was on as far as the kernel allows, and the result says how many stayed and why.
The undo is journaled itself. Exit status 1 when the process is gone or is another process now (pid reused).
JSON: the undo's own journal entry (see 'numapol journal --help'); result holds the per-page tally.`,
  exitCode: (e) => (e.outcome === 'ok' ? 0 : 1),
  run: ({ positionals, values }) => {
    noExtraArgs(positionals, 1, 'undo');
    const text = positionals[0];
    if (text === undefined) throw new UsageError("undo: missing ID (see 'numapol journal')");
    const id = intArg(text, 'ID', 1);
    return callDaemon<JournalEntry>(socketPath(optString(values, 'socket')), 'POST', `/v1/undo/${id}`);
  },
  render: (e) => journalTable([e]),
});

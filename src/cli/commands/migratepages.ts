import { migratePages, SyscallError } from '../../kernel/index.js';
import { readLibnumaView } from '../../topology/libnuma-view.js';
import { defineCommand, type OptionSpec } from '../command.js';
import { isProblem } from '../getopt.js';
import { exactReporter, frontEnd, perrorLine, type FrontEndResult } from '../numactl/failure.js';
import { parseLibnumaNodes, strtoul } from '../numactl/nodestring.js';
import { processIo } from '../runner.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'this usage' },
};

/** In numapol's words (the golden tests compare what comes before it). */
const USAGE = `usage: migratepages PID FROM-NODES TO-NODES
Moves the pages of process PID on FROM-NODES to TO-NODES, keeping their relative placement.
Nodes: numbers and A-B ranges joined by commas, or all.  This is numapol's migratepages:
'numapol migrate' does the same and says what moved and what stayed, and why.
`;

export default defineCommand<FrontEndResult>({
  name: 'migratepages',
  summary: 'migratepages 2.0.16 as a drop-in (what the migratepages shim runs): its syntax, messages and exit statuses',
  usage: 'numapol migratepages PID FROM-NODES TO-NODES',
  options: OPTIONS,
  grammar: 'exact',
  run: ({ sequence, positionals, io = processIo }) =>
    frontEnd(() => {
      const r = exactReporter(io, 'migratepages', USAGE);
      const problem = (sequence ?? []).find(isProblem);
      if (problem) r.fail({ kind: 'getopt', problem: problem.problem });
      if ((sequence ?? []).length > 0 || positionals.length !== 3) r.fail({ kind: 'usage' });
      const [pidText, fromText, toText] = positionals as [string, string, string];
      const pid = strtoul(pidText, 0);
      if (pid.end === 0 || pid.end !== pidText.length) r.fail({ kind: 'usage' });
      const view = readLibnumaView();
      const space = { allowed: view.allowedNodes, maskBits: view.nodemaskBits, flipCount: view.memNodes.length };
      const nodes = (text: string): readonly number[] => {
        const p = parseLibnumaNodes(text, space);
        if (p.ok) return p.set;
        if (p.warning !== undefined) r.warn('nodeparse', p.warning);
        io.stdout(`<${text}> is invalid\n`);
        return r.fail({ kind: 'plain', stderr: '' });
      };
      const from = nodes(fromText);
      const to = nodes(toText);
      try {
        migratePages(Number(BigInt.asIntN(32, pid.value)), from, to);
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        return r.fail({ kind: 'plain', stderr: perrorLine('migrate_pages', e.errno) });
      }
      return 0;
    }),
  render: () => '',
  exitCode: (d) => d.status,
});

import { defineCommand } from '../command.js';
import { frontEnd, type FrontEndResult } from '../numactl/failure.js';
import { runNumastat } from '../numastat/driver.js';
import { NUMASTAT_OPTIONS, NUMASTAT_USAGE } from '../numastat/options.js';
import { FrontEndExit } from '../numactl/failure.js';
import { processIo } from '../runner.js';

export default defineCommand<FrontEndResult>({
  name: 'numastat',
  summary: "numastat 2.0.16 as a drop-in (what the numastat shim runs): its options, layouts, messages and exit statuses",
  usage: 'numapol numastat [-c] [-m] [-n] [-p PID|PATTERN]... [-s[NODE]] [-v] [-V] [-z] [PID|PATTERN]...',
  options: NUMASTAT_OPTIONS,
  grammar: 'exact',
  run: ({ sequence, positionals, argc, io = processIo }) =>
    frontEnd(() =>
      runNumastat({
        events: sequence ?? [],
        operands: positionals,
        options: NUMASTAT_OPTIONS,
        compat: argc === 0,
        io,
        env: process.env,
        isTty: process.stdout.isTTY === true,
        usage: (problem) => {
          io.stderr(`${problem === undefined ? '' : `numastat: ${problem}\n`}${NUMASTAT_USAGE}`);
          throw new FrontEndExit(1);
        },
        noMatch: (pattern) => io.stdout(`Found no processes containing pattern: "${pattern}"\n`),
      }),
    ),
  render: () => '',
  exitCode: (r) => r.status,
});

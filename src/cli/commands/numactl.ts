import { execvp, strerror, SyscallError } from '../../kernel/index.js';
import { readLibnumaView } from '../../topology/libnuma-view.js';
import { defineCommand } from '../command.js';
import { runNumactl } from '../numactl/engine.js';
import { exactReporter, frontEnd, type FrontEndResult } from '../numactl/failure.js';
import { NUMACTL_OPTIONS, NUMACTL_USAGE } from '../numactl/options.js';
import { processIo } from '../runner.js';

export default defineCommand<FrontEndResult>({
  name: 'numactl',
  summary: "numactl 2.0.16 as a drop-in (what the numactl shim runs): its options, output, messages and exit statuses",
  usage: 'numapol numactl [NUMACTL OPTIONS] [--] PROGRAM [ARGS]',
  options: NUMACTL_OPTIONS,
  optionsFirst: true,
  grammar: 'exact',
  details: 'docs/numactl-compat.md lists every option and what numapol does with it.',
  run: ({ sequence, rest, io = processIo }) =>
    frontEnd(() => {
      const reporter = exactReporter(io, 'numactl', NUMACTL_USAGE);
      const end = runNumactl(sequence ?? [], rest, { dialect: 'numactl', io, reporter, view: readLibnumaView() });
      if (end.kind !== 'exec') return end.kind === 'exit' ? end.status : 1;
      try {
        return execvp(end.argv[0]!, end.argv);
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        return reporter.fail({ kind: 'complain', message: `execution of \`${end.argv[0]}': ${strerror(e.errno)}\n` });
      }
    }),
  render: () => '',
  exitCode: (r) => r.status,
});

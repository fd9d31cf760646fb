import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { installShims, SHIM_NAMES, thisNumapol, type InstalledShim } from '../shims.js';
import { version } from '../version.js';

interface ShimReport {
  readonly dir: string;
  readonly shims: readonly InstalledShim[];
}

export default defineCommand<ShimReport>({
  name: 'install-shims',
  summary: `Write ${SHIM_NAMES.join(', ')} into DIR as front ends to numapol, for scripts that call them: put DIR first on PATH.`,
  usage: 'numapol install-shims DIR [--force] [--json]',
  options: {
    force: { type: 'boolean', description: 'replace files already there (never done otherwise: the system keeps its own tools)' },
  },
  details: `Each shim is a sh script that runs 'numapol numactl "$@"' (numastat, migratepages) with this
node and this numapol by absolute path: install again after moving numapol. A program started
through the numactl shim keeps the shim's pid ($! in a shell), as with numactl.
JSON fields: dir; shims[]: {name, path, replaced}.`,
  run: ({ positionals, values }) => {
    const dir = positionals[0];
    if (dir === undefined) throw new UsageError('install-shims: which directory? numapol install-shims DIR');
    if (positionals.length > 1) throw new UsageError(`install-shims: unexpected argument '${positionals[1]}'`);
    return { dir, shims: installShims(dir, thisNumapol(version()), { force: values['force'] === true }) };
  },
  render: (r) =>
    [...r.shims.map((s) => `${s.replaced ? 'replaced' : 'wrote'} ${s.path}`), `use them with: PATH=${r.shims[0]?.path.replace(/\/numactl$/, '') ?? r.dir}:$PATH`].join('\n'),
});

import { UsageError } from '../../errors.js';
import { parseSize } from '../../ops/address-range.js';
import { shmPolicy, type ShmReport } from '../../ops/shm.js';
import { intArg, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { formatBytes, formatTable } from '../table.js';

export default defineCommand<ShmReport>({
  name: 'shm',
  summary: 'Show or set the shared policy of a tmpfs/hugetlbfs file or System V segment, and move its pages (numactl --file/--shm/--shmid).',
  usage: 'numapol shm (--file PATH | --shm KEY | --shmid ID) [POLICY] [--offset N] [--length N] [--move] [--json]',
  options: {
    file: { type: 'string', valueName: 'PATH', description: 'a file on tmpfs (/dev/shm) or hugetlbfs' },
    shm: { type: 'string', valueName: 'KEY', description: 'a System V segment by key (decimal or 0x hex, as ipcs -m prints)' },
    shmid: { type: 'string', valueName: 'ID', description: 'a System V segment by id' },
    offset: { type: 'string', valueName: 'N', description: 'start of the range in the object (k/m/g suffixes; page-aligned)' },
    length: { type: 'string', valueName: 'N', description: 'bytes from --offset (default: to the end)' },
    move: { type: 'boolean', description: "also move the object's pages to the policy's nodes (MPOL_MF_MOVE; _ALL when root)" },
  },
  details: `Without POLICY, shows the object's policy over the range and where its resident pages are.
POLICY: any form 'numapol run' accepts (bind:0-1, interleave=all, preferred:2, default...).
The policy lives in the object: it governs later faults by every process mapping it.
JSON fields: kind (tmpfs|hugetlbfs|sysv|file), file?, shmKey?, shmid?, size, offset, length, pageSize, set?,
policy[] {offset, length, policy}, pagesPerNode {node: pages}, residentPages, beforePagesPerNode?, moveError?.`,
  run: ({ positionals, values }) => {
    if (positionals.length > 1) throw new UsageError(`shm: unexpected argument '${positionals[1]}'`);
    const file = optString(values, 'file');
    const key = optString(values, 'shm');
    const id = optString(values, 'shmid');
    const offset = optString(values, 'offset');
    const length = optString(values, 'length');
    const keyNum = key === undefined ? undefined : /^-\d+$/.test(key) ? Number(key) : intArg(key, '--shm KEY');
    return shmPolicy({
      ...(file === undefined ? {} : { file }),
      ...(keyNum === undefined ? {} : { shmKey: keyNum > 0x7fffffff ? keyNum - 0x100000000 : keyNum }),
      ...(id === undefined ? {} : { shmid: intArg(id, '--shmid ID') }),
      ...(positionals[0] === undefined ? {} : { policy: positionals[0] }),
      ...(offset === undefined ? {} : { offset: parseSize(offset, '--offset') }),
      ...(length === undefined ? {} : { length: parseSize(length, '--length') }),
      move: values['move'] === true,
    });
  },
  render: (r) => {
    const name = r.file ?? (r.shmKey !== undefined ? `SysV key ${r.shmKey} (id ${r.shmid})` : `SysV id ${r.shmid}`);
    const lines = [`${name}: ${r.kind}, ${formatBytes(r.size)}, range ${formatBytes(r.offset)}+${formatBytes(r.length)}, page ${formatBytes(r.pageSize)}`];
    if (r.set !== undefined) lines.push(`set policy ${r.set}`);
    lines.push(
      formatTable(
        [{ header: 'offset', align: 'right' }, { header: 'length', align: 'right' }, { header: 'policy' }],
        r.policy.map((p) => [String(p.offset), formatBytes(p.length), p.policy]),
      ),
    );
    const per = (m: Record<number, number>): string => Object.entries(m).map(([n, p]) => `N${n}=${p}`).join(' ') || 'none';
    if (r.beforePagesPerNode !== undefined) lines.push(`resident pages before: ${per(r.beforePagesPerNode)}`);
    lines.push(`resident pages: ${per(r.pagesPerNode)} (${r.residentPages} of ${r.length / r.pageSize})`);
    if (r.moveError !== undefined) lines.push(`not every page moved: ${r.moveError}`);
    return lines.join('\n');
  },
  exitCode: (r) => (r.moveError === undefined ? 0 : 1),
});

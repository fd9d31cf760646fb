import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../errors.js';
import { parseSize } from '../../daemon/config/units.js';
import { adviseNodes, PlacementSampler, type Advice } from '../../daemon/placement/index.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { callDaemon, noDaemon, socketPath } from '../daemon-client.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { candidateTable } from '../placement/render.js';

type AdviseResult = Advice & { readonly source: 'daemon' | 'local' };

/** Idle CPU is a difference between two looks at /proc/stat: this long apart when no daemon has them. */
const LOCAL_SAMPLE_MS = 500;

async function local(cpus: number, memBytes: number): Promise<Advice> {
  const sampler = new PlacementSampler();
  sampler.sample([]);
  await sleep(LOCAL_SAMPLE_MS);
  return adviseNodes({ cpus, memBytes }, sampler.sample([]).machine);
}

export default defineCommand<AdviseResult>({
  name: 'advise',
  summary: 'Admission (like numad -w): which nodes a new job of N busy CPUs and SIZE of memory should get, and why.',
  usage: 'numapol advise --cpus N --mem SIZE [--socket PATH] [--json]',
  options: {
    cpus: { type: 'string', valueName: 'N', description: 'CPUs the job will keep busy (may be fractional: 0.5)' },
    mem: { type: 'string', valueName: 'SIZE', description: 'memory the job will use: 300MB, 4GiB, 2g, or bytes' },
    ...SOCKET_OPTION,
  },
  details: `Asks the running daemon (it has measured the machine's idle CPU over time); without a daemon, measures
the machine itself for half a second. Every candidate node set is scored: memory fit, CPU headroom, distance
between its CPUs and its memory (docs/placement.md). Exit status 1 when no node set holds the job's memory.
JSON: {source (daemon, local), request {cpus, memBytes}, nodes (the answer), reason, best (a candidate or
null), candidates[] best first: {nodes, home, cpuNodes, cpus, bytes, cpu, parts {memory, cpu, distance, speed,
locality, headroom}, score, fits, meanDistance, reason}}.`,
  exitCode: (a) => (a.best === null ? 1 : 0),
  run: async ({ positionals, values }) => {
    noExtraArgs(positionals, 0, 'advise');
    const cpusText = optString(values, 'cpus');
    const memText = optString(values, 'mem');
    if (cpusText === undefined || memText === undefined) throw new UsageError('advise: give --cpus N and --mem SIZE');
    const cpus = Number(cpusText);
    if (!Number.isFinite(cpus) || cpus < 0 || cpusText.trim() === '') throw new UsageError(`advise: --cpus ${JSON.stringify(cpusText)} is not a number of CPUs (0 or more)`);
    const memBytes = parseSize(memText);
    const q = new URLSearchParams({ cpus: String(cpus), mem: String(memBytes) });
    try {
      return { source: 'daemon', ...(await callDaemon<Advice>(socketPath(optString(values, 'socket')), 'GET', `/v1/advise?${q}`)) };
    } catch (e) {
      if (!noDaemon(e)) throw e;
      return { source: 'local', ...(await local(cpus, memBytes)) };
    }
  },
  render: (a) =>
    [
      a.best === null ? `no node set holds the job: ${a.reason}` : `give it nodes ${a.nodes.join(',')}: ${a.reason}`,
      '',
      candidateTable(a.candidates),
      a.source === 'local' ? '(measured here for half a second: no daemon answered)' : '',
    ]
      .filter((l, i, all) => l !== '' || i < all.length - 1)
      .join('\n'),
});

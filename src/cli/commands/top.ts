import { UsageError } from '../../errors.js';
import type { MemoryView } from '../../ops/read/memory-view.js';
import { noExtraArgs, optInt, optString } from '../args.js';
import { defineCommand, type ParsedValues } from '../command.js';
import { socketPath } from '../daemon-client.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { renderFrame, topOrder, type FrameSize } from '../top/frame.js';
import { showBatch, showScreen } from '../top/screen.js';
import { openSource, resilient } from '../top/source.js';

/** --json: the view itself; else how many frames were shown (drawn as they came). */
type TopResult = MemoryView | { readonly frames: number };

const MAX_TOP = 1000;

function interval(values: ParsedValues): number {
  const text = optString(values, 'interval');
  if (text === undefined) return 1;
  const s = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
  if (!(s >= 0.1 && s <= 3600)) throw new UsageError(`top: --interval is seconds between 0.1 and 3600, not '${text}'`);
  return s;
}

/** Width for frames that are not drawn on a terminal: $COLUMNS if set (as top -b), else no limit. */
function batchSize(): FrameSize {
  const c = Number(process.env['COLUMNS']);
  return { width: Number.isInteger(c) && c > 0 ? c : Infinity, height: Infinity };
}

export default defineCommand<TopResult>({
  name: 'top',
  summary: "A live view like top: processes sorted by their memory off their CPUs' nodes, beside each node's free memory and CPU use.",
  usage: 'numapol top [--interval SECONDS] [--iterations N] [--top N] [--socket PATH | --no-daemon] [--json]',
  options: {
    interval: { type: 'string', short: 'd', valueName: 'SECONDS', description: 'time between frames (default 1; fractions allowed)' },
    iterations: { type: 'string', short: 'n', valueName: 'N', description: 'show N frames, then exit (like top -n)' },
    top: { type: 'string', valueName: 'N', description: `the N processes with the most resident memory (default 20, at most ${MAX_TOP}), and every process a rule manages` },
    ...SOCKET_OPTION,
    'no-daemon': { type: 'boolean', description: 'compute the view here even when a daemon answers (no RULE column)' },
  },
  details: `With a daemon answering on its socket the view is the daemon's (GET /v1/memory) and RULE names the rule
that manages each process; else numapol computes the same view itself (root sees every process).
Per node: CPUs, CPU% (busy since the previous frame; since boot in the first local one), FREE and TOTAL
memory. Per process: PID, COMM, RULE, TOTAL (resident, from numa_maps), REMOTE (bytes on nodes none of its
threads last ran on), LOCAL% (the rest), and its bytes on each node (N0, N1, ...). Sorted by REMOTE, then TOTAL.
On a terminal: full screen, redrawn every interval; q or Ctrl-C quits, space redraws now. Columns that do not
fit are left out from the right, long names shortened ('+'). Otherwise (a pipe, a file): frames one after
another, a blank line between them, as top -b; width $COLUMNS if set.
JSON (one sample, then exit): time, nodes[] {node, cpus, memTotalBytes, memFreeBytes, memUsedBytes, fileBytes,
anonBytes, hugepages[], cpuBusy (0..1)}, distances[][], processes[] {pid, comm, bytesPerNode {node: bytes},
totalBytes, threadsPerNode {node: threads}, localBytes, remoteBytes, localRatio, rule, managed}, in top's order.`,
  run: async ({ positionals, values }) => {
    noExtraArgs(positionals, 0, 'top');
    const seconds = interval(values);
    const iterations = optInt(values, 'iterations', 1);
    const top = optInt(values, 'top') ?? 20;
    if (top > MAX_TOP) throw new UsageError(`top: --top is at most ${MAX_TOP}, not ${top}`);
    const named = optString(values, 'socket');
    const local = values['no-daemon'] === true;
    if (local && named !== undefined) throw new UsageError('top: --socket names the daemon to ask, --no-daemon asks none: give one');
    const json = values['json'] === true;
    if (json && iterations !== undefined) throw new UsageError('top: --json prints one sample: no --iterations with it');
    const { source: first, first: view } = await openSource({ top, local, socket: socketPath(named), named: named !== undefined });
    if (json) return { ...view, processes: topOrder(view.processes) };
    const source = resilient(first, top);
    const frame = (v: MemoryView, size: FrameSize, hint: string | undefined): string[] =>
      renderFrame({ view: v, source: source.label, rules: source.kind === 'daemon', intervalSeconds: seconds, ...(hint === undefined ? {} : { hint }) }, size);
    const o = { source, first: view, intervalMs: seconds * 1000, ...(iterations === undefined ? {} : { iterations }), frame, out: process.stdout };
    return { frames: process.stdout.isTTY ? await showScreen({ ...o, in: process.stdin }) : await showBatch(o, batchSize()) };
  },
  // The runner prints --json's data itself; frames were drawn as they came.
  render: () => '',
});

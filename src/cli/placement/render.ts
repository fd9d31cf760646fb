/** How placement's answers read in a terminal: candidate tables for `plan` and `advise`. */
import type { Placement } from '../../daemon/placement/index.js';
import { formatTable } from '../table.js';

function nodes(list: readonly number[]): string {
  return list.length === 0 ? '-' : list.join(',');
}

/** Candidates best first, with the score's parts: how a person checks why one won. */
export function candidateTable(candidates: readonly Placement[], limit = 5): string {
  return formatTable(
    [
      { header: 'NODES' },
      { header: 'CPU NODES' },
      { header: 'SCORE', align: 'right' },
      { header: 'MEMORY', align: 'right' },
      { header: 'CPU', align: 'right' },
      { header: 'DISTANCE', align: 'right' },
      { header: 'LOCALITY', align: 'right' },
      { header: 'HEADROOM', align: 'right' },
      { header: 'FITS' },
      { header: 'WHY' },
    ],
    candidates.slice(0, limit).map((c) => [
      nodes(c.nodes),
      nodes(c.cpuNodes),
      c.score.toFixed(3),
      c.parts.memory.toFixed(2),
      c.parts.cpu.toFixed(2),
      c.parts.distance.toFixed(2),
      c.parts.locality.toFixed(2),
      c.parts.headroom.toFixed(2),
      c.fits ? 'yes' : 'no',
      c.reason,
    ]),
  );
}

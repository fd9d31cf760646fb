/**
 * Where the pages recorded before a move are now, judged against the node map: each recorded page
 * on a source node should be on its partner. A cgroup job's pages are moved by the kernel (the
 * cpuset.mems write), so this is how its report learns what moved; tests use it on any move.
 */
import { queryPageNodes } from '../../kernel/index.js';
import { addFlow, emptyTally, processError, tallyError, type Flow, type PageTally } from '../move-pages.js';
import { decodeNodes, type PagePlacement } from '../placement/page-placement.js';

/** Pages asked about per move_pages query. */
const QUERY_CHUNK = 16384;

export interface PlacementOutcome {
  /** moved: on the partner node; alreadyThere: on a node the map keeps; busy: still on its source. */
  readonly tally: PageTally;
  readonly flows: readonly Flow[];
  /** Pages found on some third node (neither where they were nor their partner). */
  readonly elsewhere: number;
}

/**
 * Classifies every page of `placement` in `pid` now, against `map`. Pages whose page numbers
 * (address / page size) are in `skip` are left out: another member's record counts them.
 */
export function placementOutcome(pid: number, placement: PagePlacement, map: ReadonlyMap<number, number>, skip?: ReadonlySet<number>): PlacementOutcome {
  const ps = placement.pageSize;
  const tally = emptyTally();
  const flows = new Map<number, Flow>();
  let elsewhere = 0;
  try {
    for (const seg of placement.segments) {
      const start = BigInt(seg.start);
      const was = decodeNodes(seg.nodes, seg.pages);
      for (let i = 0; i < seg.pages; i += QUERY_CHUNK) {
        const n = Math.min(QUERY_CHUNK, seg.pages - i);
        const addrs = new BigUint64Array(n);
        for (let j = 0; j < n; j++) addrs[j] = start + BigInt((i + j) * ps);
        const now = queryPageNodes(pid, addrs);
        const firstPage = Number(start / BigInt(ps)) + i;
        for (let j = 0; j < n; j++) {
          const w = was[i + j]!;
          if (w < 0 || skip?.has(firstPage + j)) continue;
          const s = now[j]!;
          const want = map.get(w) ?? w;
          if (s < 0) tallyError(tally, -s, 1);
          else if (!map.has(w)) tally.alreadyThere++;
          else if (s === want) {
            tally.moved++;
            addFlow(flows, w, s, 1, ps);
          } else if (s === w) tally.busy++;
          else elsewhere++;
        }
      }
    }
  } catch (e) {
    throw processError(e, pid);
  }
  return { tally, flows: [...flows.values()].sort((a, b) => a.from - b.from || a.to - b.to), elsewhere };
}

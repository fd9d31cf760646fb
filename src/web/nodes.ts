/** The nodes: memory used against total, CPU use since the previous look, and the distances. */
import type { MemoryView, NodeView } from './api.js';
import { h, table } from './dom.js';
import { bytes, nodeList, percent } from './format.js';

/** A bar with its numbers written beside it: the colour is never the only way to read it. */
function bar(label: string, fraction: number, text: string, kind: string): HTMLElement {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const fill = h('span', { class: 'fill' });
  fill.style.width = `${(f * 100).toFixed(1)}%`;
  return h(
    'div',
    { class: `bar ${kind}` },
    h('span', { class: 'bar-label' }, label),
    h('span', { class: 'track', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(f * 100), 'aria-valuetext': text }, fill),
    h('span', { class: 'bar-text' }, text),
  );
}

function card(n: NodeView): HTMLElement {
  const used = n.memTotalBytes > 0 ? n.memUsedBytes / n.memTotalBytes : 0;
  return h(
    'article',
    { class: 'node', 'data-node': n.node, 'aria-labelledby': `node-${n.node}-h` },
    h('h3', { id: `node-${n.node}-h` }, `Node ${n.node}`),
    h('p', { class: 'sub' }, n.cpus.length > 0 ? `CPUs ${nodeList(n.cpus)}` : 'no CPUs (memory only)'),
    bar('Memory', used, `${bytes(n.memUsedBytes)} of ${bytes(n.memTotalBytes)} used (${percent(used)}), ${bytes(n.memFreeBytes)} free`, 'mem'),
    n.cpus.length > 0 ? bar('CPU', n.cpuBusy, `${percent(n.cpuBusy)} busy`, 'cpu') : null,
    h('p', { class: 'sub' }, `anon ${bytes(n.anonBytes)} · file ${bytes(n.fileBytes)}`),
  );
}

export function renderNodes(m: MemoryView, distances: HTMLElement): HTMLElement {
  return h('div', { class: 'node-cards' }, ...m.nodes.map(card), h('div', { class: 'node distances-card' }, distances));
}

export function renderDistances(m: MemoryView): HTMLElement {
  const ids = m.nodes.map((n) => n.node);
  return table(
    'Distances (10: local)',
    ['from \\ to', ...ids.map((i) => `node ${i}`)],
    m.distances.map((row, i) => [`node ${ids[i] ?? i}`, ...row.map((d) => d)]),
    { rowHeaders: true, numeric: ids.map((_, i) => i + 1), className: 'distances' },
  );
}

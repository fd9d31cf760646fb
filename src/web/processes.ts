/**
 * The processes of the heatmap as a table: one row each, memory and threads per node in numbers,
 * and a button that opens the process, in the order the heatmap has them.
 */
import type { MemoryView, ProcessView } from './api.js';
import { h, table } from './dom.js';
import { bytes, count, percent } from './format.js';

export function renderProcesses(m: MemoryView, tracked: readonly ProcessView[], selected: number | undefined, onOpen: (pid: number) => void): HTMLElement {
  const nodes = m.nodes.map((n) => n.node);
  const state = new Map(tracked.map((p) => [p.pid, p] as const));
  const rows = m.processes.map((p) => {
    const open = h(
      'button',
      { type: 'button', class: 'link', 'data-key': `open-${p.pid}`, 'aria-pressed': p.pid === selected ? 'true' : 'false', onclick: () => onOpen(p.pid) },
      h('span', { class: 'comm' }, p.comm),
      ' ',
      h('span', { class: 'pid' }, String(p.pid)),
    );
    const t = state.get(p.pid);
    const rule = p.rule ?? (t?.state === 'excluded' ? `${t.rule ?? ''} (excluded)` : '');
    return [
      open,
      rule === '' ? h('span', { class: 'muted' }, '—') : rule,
      ...nodes.map((n) => {
        const b = p.bytesPerNode[String(n)] ?? 0;
        const th = p.threadsPerNode[String(n)] ?? 0;
        return h('span', { 'data-node': n, 'data-bytes': b }, b > 0 ? bytes(b) : '–', th > 0 ? h('small', { class: 'threads' }, ` · ${count(th)} thr`) : null);
      }),
      percent(p.localRatio),
      bytes(p.totalBytes),
    ];
  });
  const tbl = table(
    'Resident memory per node (· threads that last ran there), the share local to their threads, the total',
    ['Process', 'Rule', ...nodes.map((n) => `Node ${n}`), 'Local', 'Total'],
    rows,
    { numeric: [...nodes.map((_, i) => i + 2), nodes.length + 2, nodes.length + 3], className: 'processes' },
  );
  tbl.querySelectorAll('tbody tr').forEach((tr, i) => {
    const p = m.processes[i];
    if (p === undefined) return;
    tr.setAttribute('data-pid', String(p.pid));
    if (p.managed) tr.classList.add('managed');
    if (p.pid === selected) tr.classList.add('selected');
  });
  return tbl;
}

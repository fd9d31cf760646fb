/** One process: its actions, its memory per node, its threads and their policies, its VMAs with pages per node, its journal. */
import type { JournalEntry, NodeView, ProcessDetail, Vma } from './api.js';
import { h, table, type Child } from './dom.js';
import { bytes, count, nodeList } from './format.js';
import { journalTable } from './journal.js';

export interface DetailActions {
  readonly setPolicy: () => void;
  readonly movePages: () => void;
  readonly setCpus: () => void;
  /** Present when the process's rule names a job. */
  readonly moveJob?: () => void;
  readonly undo: (e: JournalEntry) => void;
  readonly close: () => void;
  readonly toggleResident: (only: boolean) => void;
}

const MAX_THREADS = 200;
const MAX_VMAS = 300;

function mapping(v: Vma): string {
  if (v.path !== '') return v.deleted ? `${v.path} (deleted)` : v.path;
  if (v.anonName !== undefined) return `[anon:${v.anonName}]`;
  return `(${v.kind})`;
}

export function renderDetail(d: ProcessDetail, nodes: readonly NodeView[], residentOnly: boolean, act: DetailActions): Child[] {
  const ids = nodes.map((n) => n.node);
  const s = d.show;
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'State'),
    h('dd', {}, d.daemon ? `${d.daemon.state}${d.daemon.rule ? `, rule ${d.daemon.rule}` : ''}${d.daemon.job ? `, job ${d.daemon.job}` : ''}` : 'not tracked'),
    h('dt', {}, 'Memory'),
    h('dd', {}, bytes(s.totalBytes)),
    h('dt', {}, 'Threads'),
    h('dd', {}, count(s.threads.length)),
    h('dt', {}, 'Cpuset'),
    h('dd', {}, `nodes ${nodeList(s.cpuset.mems)}, CPUs ${nodeList(s.cpuset.cpus)}`),
  );
  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'group', 'aria-label': `Actions on pid ${d.pid}` },
    h('button', { type: 'button', class: 'primary', 'data-key': 'act-policy', onclick: act.setPolicy }, 'Set policy…'),
    h('button', { type: 'button', 'data-key': 'act-move', onclick: act.movePages }, 'Move pages…'),
    h('button', { type: 'button', 'data-key': 'act-cpus', onclick: act.setCpus }, 'Set CPUs…'),
    d.daemon?.job != null && act.moveJob !== undefined ? h('button', { type: 'button', 'data-key': 'act-job', onclick: act.moveJob }, `Move job ${d.daemon.job}…`) : null,
    h('button', { type: 'button', class: 'quiet', 'data-key': 'act-close', onclick: act.close }, 'Close'),
  );

  const memory = table(
    'Memory per node',
    ['Node', 'Total', 'Anon', 'File', 'Heap', 'Stack', 'Huge'],
    s.memory.map((m) => [`node ${m.node}`, bytes(m.totalBytes), bytes(m.anonBytes), bytes(m.fileBytes), bytes(m.heapBytes), bytes(m.stackBytes), bytes(m.hugeBytes)]),
    { rowHeaders: true, numeric: [1, 2, 3, 4, 5, 6], className: 'memory' },
  );

  const threads = table(
    s.threads.length > MAX_THREADS ? `Threads and their policies (first ${MAX_THREADS} of ${count(s.threads.length)})` : 'Threads and their policies',
    ['Thread', 'Name', 'Policy'],
    s.threads.slice(0, MAX_THREADS).map((t) => [String(t.tid), t.name, h('code', {}, t.policyText)]),
    { className: 'threads' },
  );

  const shown = d.vmas.filter((v) => !residentOnly || v.pages > 0);
  const toggle = h('input', { type: 'checkbox', id: `resident-${d.pid}`, 'data-key': 'resident-only', checked: residentOnly, onchange: (e: Event) => act.toggleResident((e.target as HTMLInputElement).checked) });
  const vmas = table(
    `Memory areas (VMAs) and their pages per node${shown.length > MAX_VMAS ? `: the first ${MAX_VMAS} of ${count(shown.length)}` : ''}`,
    ['Address', 'Perms', 'Mapping', 'Policy', ...ids.map((n) => `Node ${n}`), 'Pages'],
    shown.slice(0, MAX_VMAS).map((v) => [
      h('code', { class: 'range' }, `${v.start.replace(/^0x/, '')}-${v.end.replace(/^0x/, '')}`),
      h('code', {}, v.perms),
      h('span', { class: 'path', title: mapping(v) }, mapping(v)),
      h('code', {}, v.policyText ?? '?'),
      ...ids.map((n) => {
        const p = v.pagesPerNode[String(n)] ?? 0;
        return h('span', { 'data-node': n, 'data-pages': p }, p > 0 ? count(p) : '–');
      }),
      `${count(v.pages)}${v.pageSizeKiB !== undefined && v.pageSizeKiB !== 4 ? ` × ${v.pageSizeKiB} KiB` : ''}`,
    ]),
    { numeric: [...ids.map((_, i) => i + 4), ids.length + 4], className: 'vmas' },
  );

  return [
    facts,
    toolbar,
    h('div', { class: 'detail-grid' }, h('div', {}, memory, threads), h('div', {}, h('div', { class: 'field check' }, toggle, h('label', { for: toggle.id }, 'Only areas with resident pages')), h('div', { class: 'scroll' }, vmas))),
    h('h3', {}, 'Journal of this process'),
    journalTable(`Journal entries of pid ${d.pid}`, d.journal, act.undo, `p${d.pid}`, false),
  ];
}

/**
 * The actions a person can take from the page, each through the confirmation dialog: set a
 * policy (the threads' or some memory areas'), move pages between nodes, set the CPUs, move a
 * whole job, undo a journal entry. Each ends with a notice saying what the daemon did.
 */
import { api, type JobView, type JournalEntry, type NodeView, type ThreadReport } from './api.js';
import { describeBefore, describeEntry } from './describe.js';
import { confirmAction, field } from './dialog.js';
import { h } from './dom.js';
import { nodeList } from './format.js';
import { notice } from './notices.js';

export interface Target {
  readonly pid: number;
  readonly comm: string;
  readonly threads: readonly ThreadReport[];
  /** Nodes holding some of its memory. */
  readonly memoryNodes: readonly number[];
}

function who(t: Target): string {
  return `${t.comm} (pid ${t.pid})`;
}

function reported(e: JournalEntry): void {
  const ok = e.outcome === 'ok';
  notice(`#${e.id} ${describeEntry(e)}: ${e.outcome}${e.error ? ` (${e.error})` : ''}`, ok ? 'ok' : 'warn');
}

function nodeSuggestions(nodes: readonly NodeView[]): string[] {
  const ids = nodes.map((n) => n.node);
  const all = nodeList(ids);
  return ['default', 'local', ...ids.flatMap((n) => [`bind=${n}`, `prefer=${n}`]), `interleave=${all}`, 'interleave=all', `weighted-interleave=${all}`];
}

/** Comma or space separated positive integers; undefined when the text is not that. */
function tids(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s))) return undefined;
  return parts.map(Number);
}

const SCOPES: readonly (readonly [string, string])[] = [
  ['process', 'every thread (set_mempolicy)'],
  ['threads', 'some threads'],
  ['heap', 'the heap (mbind)'],
  ['stack', 'the main stack (mbind)'],
  ['anon', 'anonymous memory (mbind)'],
  ['shm', 'shared memory (mbind)'],
  ['file', 'mapped files matching… (mbind)'],
];

export function setPolicy(t: Target, nodes: readonly NodeView[]): Promise<boolean> {
  const listId = `policies-${t.pid}`;
  const policy = h('input', { type: 'text', name: 'policy', list: listId, autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'bind=0, prefer=1, interleave=all, default…' });
  const suggestions = h('datalist', { id: listId }, ...nodeSuggestions(nodes).map((p) => h('option', { value: p })));
  const scope = h('select', { name: 'scope' }, ...SCOPES.map(([v, label]) => h('option', { value: v }, label)));
  const threadIds = h('input', { type: 'text', name: 'threads', inputmode: 'numeric', autocomplete: 'off', placeholder: t.threads.slice(0, 3).map((x) => x.tid).join(', ') });
  const glob = h('input', { type: 'text', name: 'glob', autocomplete: 'off', spellcheck: 'false', placeholder: '/usr/lib/*' });
  const move = h('input', { type: 'checkbox', name: 'move' });
  const threadsRow = field('Threads', threadIds, `thread ids, comma separated (${t.threads.length} threads)`);
  const globRow = field('Files', glob, 'a glob on the mapped file path');
  const moveRow = h('div', { class: 'field check' }, move, h('label', {}, 'also move the pages already there'));
  const moveLabel = moveRow.querySelector('label')!;
  move.id = `move-${t.pid}`;
  moveLabel.htmlFor = move.id;
  const sync = (): void => {
    threadsRow.hidden = scope.value !== 'threads';
    globRow.hidden = scope.value !== 'file';
    moveRow.hidden = scope.value === 'process' || scope.value === 'threads';
  };
  scope.addEventListener('change', sync);
  sync();
  const vma = (): string | undefined => (scope.value === 'process' || scope.value === 'threads' ? undefined : scope.value === 'file' ? `file:${glob.value.trim()}` : scope.value);
  return confirmAction({
    title: `Set a memory policy: ${who(t)}`,
    fields: [field('Policy', policy, 'any policy numapol reads'), suggestions, field('Applies to', scope), threadsRow, globRow, moveRow],
    invalid: () => {
      if (policy.value.trim() === '') return 'Give a policy.';
      if (scope.value === 'threads' && tids(threadIds.value) === undefined) return 'Give the thread ids.';
      if (scope.value === 'file' && glob.value.trim() === '') return 'Give the files’ glob.';
      return undefined;
    },
    summary: () => {
      const p = policy.value.trim();
      const v = vma();
      if (v === undefined) {
        const list = tids(threadIds.value);
        const whom = scope.value === 'threads' && list ? `threads ${list.join(', ')}` : 'every thread';
        return `The daemon stops ${who(t)} for a moment and sets the policy of ${whom} to ${p}. Pages already placed stay where they are. The journal keeps the policies before, for undo.`;
      }
      return `The daemon sets the policy of ${v} of ${who(t)} to ${p}${move.checked ? ' and moves the pages already there' : '; pages already placed stay where they are'}. The journal keeps what was there, for undo.`;
    },
    confirm: 'Set policy',
    run: async () => {
      const v = vma();
      const list = scope.value === 'threads' ? tids(threadIds.value) : undefined;
      reported(await api.setPolicy({ pid: t.pid, policy: policy.value.trim(), ...(list ? { threads: list } : {}), ...(v !== undefined ? { vma: v, move: move.checked } : {}) }));
    },
  });
}

export function movePages(t: Target, nodes: readonly NodeView[]): Promise<boolean> {
  const ids = nodes.map((n) => n.node);
  const from = h('input', { type: 'text', name: 'from', autocomplete: 'off', value: nodeList(t.memoryNodes.length > 0 ? t.memoryNodes : ids) });
  const to = h('input', { type: 'text', name: 'to', autocomplete: 'off', value: nodeList(ids.filter((n) => !t.memoryNodes.includes(n)).slice(0, 1)) });
  const rate = h('input', { type: 'number', name: 'rate', min: '1', step: '1', inputmode: 'numeric', placeholder: 'no limit of its own' });
  const rateOf = (): number | undefined => (rate.value.trim() === '' ? undefined : Number(rate.value));
  return confirmAction({
    title: `Move pages: ${who(t)}`,
    fields: [field('From nodes', from, 'e.g. 0 or 0-1'), field('To nodes', to, 'the k-th node of From goes to the k-th of To'), field('Rate (MB/s)', rate, 'at most this fast; the daemon’s migrate-rate still applies')],
    invalid: () => {
      if (from.value.trim() === '' || to.value.trim() === '') return 'Give the nodes to move from and to.';
      const r = rateOf();
      if (r !== undefined && !(r > 0)) return 'The rate is a number of MB/s above 0.';
      return undefined;
    },
    summary: () => {
      const r = rateOf();
      return `The daemon moves the pages of ${who(t)} on node ${from.value.trim()} to node ${to.value.trim()}${r !== undefined ? `, at most ${r} MB/s` : ''}. The journal keeps where they were, for undo.`;
    },
    confirm: 'Move pages',
    run: async () => {
      const r = rateOf();
      reported(await api.migrate({ pid: t.pid, from: from.value.trim(), to: to.value.trim(), ...(r !== undefined ? { rate: r } : {}) }));
    },
  });
}

export function setCpus(t: Target, nodes: readonly NodeView[]): Promise<boolean> {
  const by = h('select', { name: 'by' }, h('option', { value: 'nodes' }, 'the CPUs of nodes'), h('option', { value: 'cpus' }, 'these CPUs'));
  const value = h('input', { type: 'text', name: 'value', autocomplete: 'off', value: nodeList(nodes.filter((n) => n.cpus.length > 0).map((n) => n.node).slice(0, 1)) });
  return confirmAction({
    title: `Set CPUs: ${who(t)}`,
    fields: [field('Run on', by), field('List', value, 'nodes (0-1) or CPUs (0-3,8), as numactl')],
    invalid: () => (value.value.trim() === '' ? 'Give a list.' : undefined),
    summary: () => `The daemon sets the CPU affinity of every thread of ${who(t)} to ${by.value === 'nodes' ? `the CPUs of node ${value.value.trim()}` : `CPUs ${value.value.trim()}`}. The journal keeps the affinity before, for undo.`,
    confirm: 'Set CPUs',
    run: async () => {
      const v = value.value.trim();
      reported(await api.cpus(by.value === 'nodes' ? { pid: t.pid, nodes: v } : { pid: t.pid, cpus: v }));
    },
  });
}

/**
 * Moves a whole job: every process of a rule's `job` (policies remapped, CPUs, pages node to
 * partner node), one journal entry the daemon undoes whole.
 */
export function moveJob(job: JobView, nodes: readonly NodeView[], where: readonly number[]): Promise<boolean> {
  const ids = nodes.map((n) => n.node);
  const to = h('input', { type: 'text', name: 'to', autocomplete: 'off', value: nodeList(ids.filter((n) => !where.includes(n)).slice(0, Math.max(1, where.length))) || nodeList(ids.slice(0, 1)) });
  const from = h('input', { type: 'text', name: 'from', autocomplete: 'off', placeholder: where.length > 0 ? nodeList(where) : 'where the job is told to be' });
  const members = job.members.map((m) => `${m.comm} (pid ${m.pid})`);
  const whom = members.length <= 4 ? members.join(', ') : `${members.slice(0, 3).join(', ')} and ${members.length - 3} more`;
  return confirmAction({
    title: `Move job ${job.name}`,
    fields: [field('To nodes', to, 'e.g. 2-3: the k-th source node goes to the k-th of these'), field('From nodes', from, 'empty: the nodes its policies and CPUs name')],
    invalid: () => (to.value.trim() === '' ? 'Give the nodes to move to.' : job.members.length === 0 ? 'The job has no process now.' : undefined),
    summary: () => {
      const src = from.value.trim() === '' ? 'the nodes its policies and CPUs name' : `node ${from.value.trim()}`;
      return `The daemon moves job ${job.name}, ${members.length} process${members.length === 1 ? '' : 'es'} (${whom}), from ${src} to node ${to.value.trim()}: their policies, CPUs and pages. It is journaled as one entry and undoable whole.`;
    },
    confirm: 'Move job',
    run: async () => {
      const f = from.value.trim();
      reported(await api.moveJob(job.name, to.value.trim(), f === '' ? undefined : f));
    },
  });
}

export function undo(e: JournalEntry): Promise<boolean> {
  const back = describeBefore(e.before);
  return confirmAction({
    title: `Undo #${e.id}`,
    summary: () => `The daemon puts back what #${e.id} changed: ${describeEntry(e)}${back ? `: ${back}` : ''}. ${e.pid === null ? 'A member whose pid now names another process is left alone.' : `It refuses if pid ${e.pid} is now another process.`}`,
    confirm: 'Undo',
    run: async () => reported(await api.undo(e.id)),
  });
}

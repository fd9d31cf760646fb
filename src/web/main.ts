/**
 * The dashboard: loads the daemon's views, renders each section, and keeps them current from
 * `/events`. What an event changed is marked and loaded again shortly after (events come in
 * bursts); the memory view, which reads numa_maps of a few dozen processes, at most every 2 s.
 */
import * as actions from './actions.js';
import { api, ApiError, type JobView, type JournalEntry, type MemoryView, type PlacementView, type PlanItem, type ProcessDetail, type ProcessView, type RuleView, type Status } from './api.js';
import { byId, h, replace } from './dom.js';
import { clock } from './format.js';
import { Heatmap } from './heatmap.js';
import { journalTable, renderPlan, renderRules } from './journal.js';
import { connectLive, type EventName, type LiveState } from './live.js';
import { renderDistances, renderNodes } from './nodes.js';
import { renderJobs, renderPlacement } from './placement.js';
import { renderDetail } from './process-detail.js';
import { renderProcesses } from './processes.js';

/** Processes in the memory view besides the managed ones: the largest. */
const TOP = 20;
const JOURNAL = 50;
const MEMORY_EVERY_MS = 2000;

type Part = 'memory' | 'status' | 'tracked' | 'journal' | 'rules' | 'plan' | 'detail' | 'jobs' | 'placement';
const ALL: readonly Part[] = ['memory', 'status', 'tracked', 'journal', 'rules', 'plan', 'detail', 'jobs', 'placement'];

const state: {
  memory?: MemoryView;
  status?: Status;
  tracked: ProcessView[];
  journal: JournalEntry[];
  rules: RuleView[];
  plan: PlanItem[];
  jobs: JobView[];
  placement?: PlacementView;
  selected?: number;
  detail?: ProcessDetail;
  detailError?: string;
  residentOnly: boolean;
} = { tracked: [], journal: [], rules: [], plan: [], jobs: [], residentOnly: true };

const heatmap = new Heatmap(byId('heatmap'), (pid) => openProcess(pid, true));

// ---- loading ---------------------------------------------------------------------------------

const dirty = new Set<Part>();
let timer: number | undefined;
let running = false;
let lastMemory = 0;

function refresh(...parts: readonly Part[]): void {
  for (const p of parts) dirty.add(p);
  schedule(150);
}

function schedule(ms: number): void {
  if (timer !== undefined || running) return;
  timer = window.setTimeout(() => {
    timer = undefined;
    void load();
  }, ms);
}

async function load(): Promise<void> {
  running = true;
  const parts = new Set(dirty);
  dirty.clear();
  const wait = MEMORY_EVERY_MS - (Date.now() - lastMemory);
  if (parts.has('memory') && wait > 0 && state.memory !== undefined) {
    parts.delete('memory');
    dirty.add('memory');
  }
  try {
    await Promise.all([...parts].map((p) => loadPart(p)));
    setProblem(undefined);
  } catch (e) {
    setProblem(e);
  } finally {
    running = false;
    document.documentElement.dataset['loaded'] = 'true';
    if (dirty.size > 0) schedule(dirty.has('memory') && dirty.size === 1 ? Math.max(150, MEMORY_EVERY_MS - (Date.now() - lastMemory)) : 150);
  }
}

async function loadPart(p: Part): Promise<void> {
  switch (p) {
    case 'memory':
      lastMemory = Date.now();
      {
        const m = await api.memory(TOP);
        // Managed processes first (a stable sort keeps the rest largest first): they stay in place.
        state.memory = { ...m, processes: [...m.processes].sort((a, b) => Number(b.managed) - Number(a.managed)) };
      }
      renderMemory();
      return;
    case 'status':
      state.status = await api.status();
      renderStatus();
      return;
    case 'tracked':
      state.tracked = await api.processes();
      if (state.memory) renderProcessTable();
      return;
    case 'journal':
      state.journal = await api.journal(JOURNAL);
      replace(byId('journal'), journalTable(`The last ${JOURNAL} journal entries, newest first`, state.journal, undo, 'j'));
      return;
    case 'rules':
      state.rules = await api.rules();
      replace(byId('rules'), renderRules(state.rules));
      return;
    case 'plan':
      state.plan = await api.plan();
      replace(byId('plan'), renderPlan(state.plan));
      return;
    case 'jobs':
      state.jobs = await api.jobs();
      replace(byId('jobs'), renderJobs(state.jobs, moveJob));
      if (state.detail?.daemon?.job != null) renderDetailSection();
      return;
    case 'placement':
      state.placement = await api.placement();
      replace(byId('placement'), renderPlacement(state.placement));
      return;
    case 'detail':
      await loadDetail();
      return;
  }
}

async function loadDetail(): Promise<void> {
  const pid = state.selected;
  if (pid === undefined) return;
  try {
    state.detail = await api.process(pid);
    state.detailError = undefined;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 401 || e.status === 0) throw e;
    state.detail = undefined;
    state.detailError = e.message;
  }
  if (state.selected === pid) renderDetailSection();
}

function setProblem(e: unknown): void {
  const el = byId('problem');
  if (e === undefined) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.hidden = false;
  el.textContent =
    e instanceof ApiError && e.status === 401
      ? 'The daemon asks for its token: open this page once as /?token=TOKEN (the token is in the file named by http.token-file).'
      : e instanceof Error
        ? e.message
        : String(e);
}

// ---- rendering -------------------------------------------------------------------------------

function renderStatus(): void {
  const s = state.status;
  if (s === undefined) return;
  const parts = [
    `mode ${s.mode}`,
    `${s.rules} rule${s.rules === 1 ? '' : 's'}`,
    `${s.managed} managed of ${s.tracked} processes`,
    `connector ${s.connector}`,
    ...(s.overruns > 0 ? [`${s.overruns} overruns`] : []),
    ...(s.queued.stops + s.queued.pages > 0 ? [`${s.queued.stops + s.queued.pages} actions queued`] : []),
    `daemon pid ${s.pid} since ${clock(s.startedAt)}`,
  ];
  replace(byId('status'), parts.join(' · '));
}

function renderMemory(): void {
  const m = state.memory;
  if (m === undefined) return;
  replace(byId('nodes'), renderNodes(m, renderDistances(m)));
  replace(byId('memory-time'), `as of ${clock(m.time)}`);
  heatmap.show(m);
  renderProcessTable();
}

function renderProcessTable(): void {
  if (state.memory === undefined) return;
  replace(byId('processes'), renderProcesses(state.memory, state.tracked, state.selected, (pid) => openProcess(pid, true)));
}

function renderDetailSection(): void {
  const section = byId('detail-section');
  const pid = state.selected;
  section.hidden = pid === undefined;
  if (pid === undefined) return;
  const d = state.detail;
  const title = byId('detail-h');
  if (d === undefined || d.pid !== pid) {
    title.textContent = `pid ${pid}`;
    replace(byId('detail'), h('p', { class: 'muted' }, state.detailError ?? 'Loading…'), h('button', { type: 'button', 'data-key': 'act-close', onclick: closeProcess }, 'Close'));
    return;
  }
  title.textContent = `${d.show.name} · pid ${d.pid}`;
  const nodes = state.memory?.nodes ?? [];
  const job = d.daemon?.job != null ? state.jobs.find((j) => j.name === d.daemon?.job) : undefined;
  const target = (): actions.Target => ({
    pid: d.pid,
    comm: d.show.name,
    threads: d.show.threads,
    memoryNodes: d.show.memory.filter((m) => m.totalBytes > 0).map((m) => m.node),
  });
  replace(
    byId('detail'),
    ...renderDetail(d, nodes, state.residentOnly, {
      setPolicy: () => void actions.setPolicy(target(), nodes).then(afterAction),
      movePages: () => void actions.movePages(target(), nodes).then(afterAction),
      setCpus: () => void actions.setCpus(target(), nodes).then(afterAction),
      ...(job !== undefined ? { moveJob: () => moveJob(job) } : {}),
      undo,
      close: closeProcess,
      toggleResident: (only) => {
        state.residentOnly = only;
        renderDetailSection();
      },
    }),
  );
}

// ---- what people do --------------------------------------------------------------------------

function afterAction(ran: boolean): void {
  if (ran) refresh('journal', 'detail', 'memory', 'plan', 'tracked', 'status', 'jobs');
}

/** The nodes the job's members have memory on, as the memory view saw them: where it moves from. */
function jobNodes(j: JobView): number[] {
  const pids = new Set(j.members.map((m) => m.pid));
  const nodes = new Set<number>();
  for (const p of state.memory?.processes ?? []) {
    if (!pids.has(p.pid)) continue;
    for (const [n, b] of Object.entries(p.bytesPerNode)) if (b > 0) nodes.add(Number(n));
  }
  return [...nodes];
}

function moveJob(j: JobView): void {
  void actions.moveJob(j, state.memory?.nodes ?? [], jobNodes(j)).then(afterAction);
}

function undo(e: JournalEntry): void {
  void actions.undo(e).then(afterAction);
}

function openProcess(pid: number, focus: boolean): void {
  state.selected = pid;
  state.detail = undefined;
  state.detailError = undefined;
  history.replaceState(null, '', `#pid=${pid}`);
  renderDetailSection();
  renderProcessTable();
  if (focus) {
    const title = byId('detail-h');
    title.focus();
    title.scrollIntoView({ block: 'start' });
  }
  refresh('detail');
}

function closeProcess(): void {
  const pid = state.selected;
  state.selected = undefined;
  state.detail = undefined;
  history.replaceState(null, '', location.pathname + location.search);
  renderDetailSection();
  renderProcessTable();
  if (pid !== undefined) document.querySelector<HTMLElement>(`[data-key="open-${pid}"]`)?.focus();
}

// ---- live ------------------------------------------------------------------------------------

function onEvent(name: EventName, data: unknown): void {
  const pid = typeof data === 'object' && data !== null && typeof (data as { pid?: unknown }).pid === 'number' ? (data as { pid: number }).pid : undefined;
  switch (name) {
    case 'hello':
      refresh(...ALL);
      return;
    case 'action':
      refresh('journal', 'plan', 'tracked', 'memory', 'status', 'jobs', ...(pid === state.selected ? (['detail'] as const) : []));
      return;
    case 'process':
    case 'rule-match':
      refresh('tracked', 'memory', 'status', 'plan', 'jobs', ...(pid === state.selected ? (['detail'] as const) : []));
      return;
    case 'reload':
      refresh('rules', 'plan', 'tracked', 'status', 'memory', 'jobs', 'placement');
      return;
    case 'overrun':
      refresh('status');
      return;
    case 'placement':
      refresh('placement', 'memory', 'status');
      return;
    case 'rescan':
      refresh('memory', 'status');
      return;
  }
}

const LIVE_TEXT: Record<LiveState, string> = { connecting: 'connecting…', live: 'live', down: 'disconnected: retrying' };

function onLive(s: LiveState): void {
  const el = byId('live');
  el.dataset['state'] = s;
  el.textContent = LIVE_TEXT[s];
}

// ---- start -----------------------------------------------------------------------------------

const fromHash = /^#pid=(\d+)$/.exec(location.hash);
if (fromHash) openProcess(Number(fromHash[1]), false);
refresh(...ALL);
connectLive('/events', onEvent, onLive);

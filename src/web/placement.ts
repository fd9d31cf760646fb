/** The jobs rules make, each with its Move button; automatic placement's last pass, decision by decision. */
import type { JobView, PlacementDecision, PlacementOption, PlacementView } from './api.js';
import { h, table } from './dom.js';
import { clock, nodeList, percent } from './format.js';

export function renderJobs(jobs: readonly JobView[], onMove: (j: JobView) => void): HTMLElement {
  if (jobs.length === 0) return h('p', { class: 'muted' }, 'No jobs: no rule has a job: key.');
  return table(
    'The jobs rules make, and their processes now',
    ['Job', 'Processes', h('span', { class: 'visually-hidden' }, 'Actions')],
    jobs.map((j) => [
      h('strong', {}, j.name),
      j.members.length === 0 ? h('span', { class: 'muted' }, 'none now') : j.members.map((m) => `${m.comm} ${m.pid}`).join(', '),
      h('button', { type: 'button', 'data-key': `job-move-${j.name}`, disabled: j.members.length === 0, 'aria-label': `Move job ${j.name}`, onclick: () => onMove(j) }, 'Move…'),
    ]),
    { className: 'jobs' },
  );
}

function where(p: PlacementOption): string {
  const cpu = p.cpuNodes.length > 0 && nodeList(p.cpuNodes) !== nodeList(p.nodes) ? `, CPUs on ${nodeList(p.cpuNodes)}` : '';
  return `node ${nodeList(p.nodes) || '–'}${cpu}`;
}

function decisionRow(d: PlacementDecision): HTMLElement[] {
  return [
    h('span', {}, `${d.comm} ${d.pid}`),
    h('span', { class: `tag${d.act ? ' warn' : ''}`, 'data-act': d.act ? 'move' : 'stay' }, d.act ? 'move' : 'stay'),
    h('span', { class: 'reason' }, d.reason),
    h('span', {}, `${where(d.current)} (${d.current.score.toFixed(2)}), ${percent(d.localRatio)} local`),
    d.best === null ? h('span', { class: 'muted' }, 'none holds it') : h('span', {}, `${where(d.best)} (${d.best.score.toFixed(2)}${d.gain !== 0 ? `, ${d.gain > 0 ? '+' : ''}${d.gain.toFixed(2)}` : ''})`),
  ];
}

export function renderPlacement(p: PlacementView | undefined): HTMLElement {
  if (p === undefined || p.time === null) return h('p', { class: 'muted', 'data-pass': 'none' }, 'No placement pass yet (rules with place: auto make one every auto.interval).');
  const head = h(
    'p',
    { class: 'sub', 'data-pass': p.time },
    `Last pass ${clock(p.time)}`,
    p.threshold !== null ? ` · a move needs a gain of ${p.threshold.toFixed(2)}` : '',
    p.measured ? '' : ' · first look: CPU use not measured yet',
    ` · ${p.moves.length} move${p.moves.length === 1 ? '' : 's'}`,
  );
  if (p.decisions.length === 0) return h('div', {}, head, h('p', { class: 'muted' }, 'No process to place.'));
  const t = table('Each process of a place: auto rule: stay or move, why, where it is and the best place found (score 0 to 1)', ['Process', 'Decision', 'Why', 'Now', 'Best'], p.decisions.map(decisionRow), { className: 'placement' });
  t.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-pid', String(p.decisions[i]?.pid ?? '')));
  return h('div', {}, head, h('div', { class: 'scroll' }, t));
}

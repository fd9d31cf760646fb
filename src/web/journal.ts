/** Journal entries as a table, each undoable one with its Undo button; the rules and the plan. */
import type { JournalEntry, PlanItem, RuleView } from './api.js';
import { describeParams, undoable } from './describe.js';
import { h, table } from './dom.js';
import { clock } from './format.js';

export function journalTable(caption: string, entries: readonly JournalEntry[], onUndo: (e: JournalEntry) => void, keyPrefix: string, withProcess = true): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No journal entries yet.');
  const rows = entries.map((e) => {
    const who = e.pid === null ? '—' : `${e.comm ?? '?'} ${e.pid}`;
    const by = e.source === 'rule' ? `rule ${e.rule ?? '?'}` : e.source;
    const state = e.undoneBy !== null ? `${e.outcome}, undone by #${e.undoneBy}` : e.outcome;
    const action = undoable(e)
      ? h('button', { type: 'button', 'data-key': `${keyPrefix}-undo-${e.id}`, 'aria-label': `Undo #${e.id}: ${describeParams(e.params) || e.action}${e.pid === null ? '' : ` on pid ${e.pid}`}`, onclick: () => onUndo(e) }, 'Undo…')
      : null;
    return [
      `#${e.id}`,
      h('time', { datetime: e.time, title: e.time }, clock(e.time)),
      ...(withProcess ? [who] : []),
      by,
      describeParams(e.params) || e.action,
      h('span', { class: `outcome ${e.outcome}` }, state, e.error ? h('small', { class: 'error-text' }, ` ${e.error}`) : null),
      action,
    ];
  });
  const t = table(caption, ['Entry', 'Time', ...(withProcess ? ['Process'] : []), 'By', 'What', 'Outcome', h('span', { class: 'visually-hidden' }, 'Actions')], rows, { className: 'journal' });
  t.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-entry', String(entries[i]?.id ?? '')));
  return t;
}

export function renderRules(rules: readonly RuleView[]): HTMLElement {
  if (rules.length === 0) return h('p', { class: 'muted' }, 'No rules: the daemon only acts when asked.');
  return h(
    'ol',
    { class: 'rules' },
    ...rules.map((r) =>
      h(
        'li',
        {},
        h('strong', {}, r.name),
        r.mode ? h('span', { class: 'tag' }, r.mode) : null,
        r.inactive ? h('span', { class: 'tag warn' }, `inactive: ${r.inactive}`) : null,
        r.rule !== undefined ? h('code', {}, ruleText(r.rule)) : null,
      ),
    ),
  );
}

function ruleText(rule: unknown): string {
  if (rule === null || typeof rule !== 'object') return '';
  const { name: _name, ...rest } = rule as Record<string, unknown>;
  return JSON.stringify(rest);
}

export function renderPlan(plan: readonly PlanItem[]): HTMLElement {
  if (plan.length === 0) return h('p', { class: 'muted' }, 'Nothing pending: every rule’s actions ran.');
  return table('What the daemon would do and has not done', ['Process', 'Rule', 'Action', 'State'], plan.map((p) => [`${p.comm} ${p.pid}`, p.rule, p.description, p.state]), { className: 'plan' });
}

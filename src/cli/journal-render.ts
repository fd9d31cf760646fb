/** Journal entries as an aligned table (`numapol journal`, `numapol undo`). */
import { describeAction, type Action } from '../daemon/actions/action.js';
import type { JournalEntry } from '../daemon/ports.js';
import { formatTable } from './table.js';

/** "2026-12-05 10:37:53" in local time: what a person compares with `date`. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function what(e: JournalEntry): string {
  if (e.action === 'undo') return `undo of #${String(e.undoes)}`;
  const p = e.params as Action | null;
  return p !== null && typeof p === 'object' && p.kind === e.action ? describeAction(p) : e.action;
}

/** Why automatic placement made a move (its decision in words), kept with the action. */
function reasonOf(e: JournalEntry): string {
  const p = e.params as { reason?: unknown } | null;
  return p !== null && typeof p === 'object' && typeof p.reason === 'string' ? p.reason : '';
}

export function journalTable(entries: readonly JournalEntry[]): string {
  if (entries.length === 0) return 'no journal entries';
  return formatTable(
    [{ header: 'ID', align: 'right' }, { header: 'TIME' }, { header: 'PID', align: 'right' }, { header: 'COMM' }, { header: 'RULE' }, { header: 'ACTION' }, { header: 'OUTCOME' }, { header: 'NOTE' }],
    entries.map((e) => [
      String(e.id),
      localTime(e.time),
      e.pid === null ? '-' : String(e.pid),
      e.comm ?? '-',
      e.rule ?? `(${e.source})`,
      what(e),
      e.outcome,
      [e.error ?? '', reasonOf(e), e.undoneBy !== null ? `undone by #${e.undoneBy}` : ''].filter((s) => s !== '').join('; '),
    ]),
  );
}

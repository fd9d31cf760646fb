/** Journal entries in words: what an action asked for, and whether it can be undone. */
import type { JournalEntry } from './api.js';

interface ActionParams {
  readonly kind?: string;
  readonly policy?: string;
  readonly threads?: readonly number[];
  readonly vma?: string;
  readonly move?: boolean;
  readonly nodes?: string;
  readonly cpus?: string;
  readonly from?: string;
  readonly to?: string;
  readonly rateBytesPerSecond?: number;
  readonly job?: string;
  readonly cgroup?: string;
  readonly members?: readonly { readonly pid: number }[];
  readonly reason?: string;
  readonly undoes?: number;
  readonly action?: ActionParams;
}

export function describeParams(p: unknown): string {
  if (p === null || typeof p !== 'object') return '';
  const a = p as ActionParams;
  switch (a.kind) {
    case 'policy':
      return `policy ${a.policy ?? '?'}${a.threads !== undefined ? ` (threads ${a.threads.join(',')})` : ''}`;
    case 'vma-policy':
      return `${a.vma ?? '?'}: policy ${a.policy ?? '?'}${a.move === true ? ', pages moved' : ''}`;
    case 'cpus':
      return a.nodes !== undefined ? `CPUs of nodes ${a.nodes}` : `CPUs ${a.cpus ?? '?'}`;
    case 'migrate':
      return `pages from node ${a.from ?? '?'} to ${a.to ?? '?'}${a.rateBytesPerSecond !== undefined ? ` at ${Math.round(a.rateBytesPerSecond / 1e6)} MB/s` : ''}`;
    case 'job-move':
      return `job ${a.job ?? '?'}${a.members !== undefined ? ` (${a.members.length} process${a.members.length === 1 ? '' : 'es'})` : ''} ${a.from !== undefined ? `from node ${a.from} ` : ''}to node ${a.to ?? '?'}`;
    case 'place':
      return `placed on node ${a.nodes ?? '?'}${a.cpus !== undefined ? `, CPUs ${a.cpus}` : ''}`;
    default:
      if (a.undoes !== undefined) return `undo of #${a.undoes}${a.action !== undefined ? ` (${describeParams(a.action)})` : ''}`;
      return a.kind ?? '';
  }
}

export function describeEntry(e: JournalEntry): string {
  const what = describeParams(e.params) || e.action;
  return e.pid === null ? what : `${what} on ${e.comm ?? '?'} (pid ${e.pid})`;
}

/** What undo would put back, when the entry saved thread policies (the common case). */
export function describeBefore(before: unknown): string | undefined {
  if (before === null || typeof before !== 'object') return undefined;
  const threads = (before as { threads?: readonly { tid?: number; policy?: string }[] }).threads;
  if (!Array.isArray(threads) || threads.length === 0) return undefined;
  const kinds = [...new Set(threads.map((t) => t.policy ?? '?'))];
  return kinds.length === 1 ? `every thread's policy back to ${kinds[0]}` : `each thread's own policy back (${kinds.join(', ')})`;
}

/**
 * The daemon's undo refuses the rest: an undo, an entry undone already, one that changed nothing.
 * A job move has no single pid: its entry names the job's members.
 */
export function undoable(e: JournalEntry): boolean {
  return e.undoes === null && e.undoneBy === null && (e.outcome === 'ok' || e.outcome === 'partial') && e.before !== null && (e.pid !== null || e.action === 'job-move');
}

/** Text for the policy-changing commands (set, home-node, apply): before/after tables. */
import type { RangeChange } from '../ops/set-range-policy.js';
import type { StopFigures, ThreadChange } from '../ops/set-policy.js';
import { formatTable } from './table.js';

export function threadTable(threads: readonly ThreadChange[]): string {
  return formatTable(
    [{ header: 'tid', align: 'right' }, { header: 'before' }, { header: 'after' }],
    threads.map((t) => [String(t.tid), t.before, t.after]),
  );
}

export function rangeTable(ranges: readonly RangeChange[]): string {
  return formatTable(
    [{ header: 'range' }, { header: 'mapping' }, { header: 'before' }, { header: 'after' }],
    ranges.map((r) => [`${r.start}-${r.end}`, r.mapping, r.before, r.after]),
  );
}

export function stopLine(s: StopFigures | undefined): string {
  if (s === undefined) return '';
  return `process stopped ${s.stoppedMs.toFixed(1)} ms (${s.threadsStopped} thread${s.threadsStopped === 1 ? '' : 's'}, ${s.injections} injected syscall${s.injections === 1 ? '' : 's'})`;
}

export const STOP_OPTIONS = {
  'allow-seccomp': { type: 'boolean', description: 'touch a process under a seccomp filter anyway (the filter may refuse the call)' },
  'dry-run': { type: 'boolean', description: 'print the plan; read /proc only, do not stop the process' },
} as const;

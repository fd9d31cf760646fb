/**
 * One frame of `numapol top` as lines of plain text: a function of the memory view and the
 * terminal's size only, so it is tested on data. Like top, it fits the width by dropping the
 * per-node columns that do not fit (from the right), then by shortening names; and the height by
 * showing fewer processes.
 */
import type { MemoryView, NodeView, ProcessMemoryView } from '../../ops/read/memory-view.js';
import { formatNodeList } from '../../policy/nodelist.js';
import { formatBytes, formatTable, type Column } from '../table.js';

export interface FrameInput {
  readonly view: MemoryView;
  /** Where the view comes from, for the title: "daemon on /run/numapol/numapol.sock", "local". */
  readonly source: string;
  /** Shows the RULE column (the daemon knows rules; a local view has none). */
  readonly rules: boolean;
  readonly intervalSeconds: number;
  /** A note at the end of the title, e.g. "q quits". */
  readonly hint?: string;
}

export interface FrameSize {
  /** Columns; Infinity for no limit (batch output to a pipe). */
  readonly width: number;
  /** Rows; Infinity for no limit. */
  readonly height: number;
}

/** The narrowest a shortened COMM or RULE gets. */
const MIN_NAME = 4;
/** The kernel's TASK_COMM_LEN less its NUL. */
const MAX_COMM = 15;
const MAX_RULE = 20;
const GAP = 2;

/** Processes in top's order: most memory off their threads' nodes first, then the largest, then by pid. */
export function topOrder(processes: readonly ProcessMemoryView[]): ProcessMemoryView[] {
  return [...processes].sort((a, b) => b.remoteBytes - a.remoteBytes || b.totalBytes - a.totalBytes || a.pid - b.pid);
}

/** `text` in at most `width` characters; a cut one ends in '+' as top marks them. */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 0) return '';
  return `${text.slice(0, width - 1)}+`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function clock(iso: string): string {
  const d = new Date(iso);
  const two = (n: number): string => String(n).padStart(2, '0');
  return Number.isNaN(d.getTime()) ? iso : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function seconds(s: number): string {
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(2).replace(/0+$/, '')}s`;
}

function nodeLines(nodes: readonly NodeView[]): string[] {
  return formatTable(
    [
      { header: 'NODE', align: 'right' },
      { header: 'CPUS' },
      { header: 'CPU%', align: 'right' },
      { header: 'FREE', align: 'right' },
      { header: 'TOTAL', align: 'right' },
      { header: 'FREE%', align: 'right' },
    ],
    nodes.map((n) => [
      String(n.node),
      n.cpus.length > 0 ? formatNodeList(n.cpus) : '-',
      n.cpus.length > 0 ? percent(n.cpuBusy) : '-',
      formatBytes(n.memFreeBytes),
      formatBytes(n.memTotalBytes),
      n.memTotalBytes > 0 ? percent(n.memFreeBytes / n.memTotalBytes) : '-',
    ]),
  ).split('\n');
}

interface ProcessColumn extends Column {
  readonly cells: readonly string[];
  /** Shortened (COMM, RULE) rather than dropped when space runs out. */
  readonly shrink?: boolean;
  /** Node columns go first, from the right. */
  readonly node?: number;
}

function processColumns(ps: readonly ProcessMemoryView[], nodes: readonly NodeView[], rules: boolean): ProcessColumn[] {
  return [
    { header: 'PID', align: 'right', cells: ps.map((p) => String(p.pid)) },
    { header: 'COMM', shrink: true, cells: ps.map((p) => fit(p.comm, MAX_COMM)) },
    ...(rules ? [{ header: 'RULE', shrink: true, cells: ps.map((p) => fit(p.rule ?? '-', MAX_RULE)) }] : []),
    { header: 'TOTAL', align: 'right', cells: ps.map((p) => formatBytes(p.totalBytes)) },
    { header: 'REMOTE', align: 'right', cells: ps.map((p) => (p.remoteBytes > 0 ? formatBytes(p.remoteBytes) : '-')) },
    { header: 'LOCAL%', align: 'right', cells: ps.map((p) => percent(p.localRatio)) },
    ...nodes.map((n) => ({
      header: `N${n.node}`,
      align: 'right' as const,
      node: n.node,
      cells: ps.map((p) => {
        const b = p.bytesPerNode[n.node] ?? 0;
        return b > 0 ? formatBytes(b) : '-';
      }),
    })),
  ];
}

function naturalWidth(c: ProcessColumn): number {
  return Math.max(c.header.length, ...c.cells.map((s) => s.length));
}

/** The columns that fit `width`, with the width each gets, and the node columns left out. */
function layout(columns: readonly ProcessColumn[], width: number): { columns: ProcessColumn[]; widths: number[]; dropped: number[] } {
  const kept = [...columns];
  const widths = kept.map(naturalWidth);
  const total = (): number => widths.reduce((s, w) => s + w, 0) + GAP * Math.max(0, widths.length - 1);
  const dropped: number[] = [];
  while (total() > width) {
    const last = kept.length - 1;
    const n = kept[last]?.node;
    if (n === undefined) break;
    dropped.unshift(n);
    kept.pop();
    widths.pop();
  }
  // Then shorten the names, the widest first, down to MIN_NAME each.
  let excess = total() - width;
  while (excess > 0) {
    let at = -1;
    kept.forEach((c, i) => {
      if (c.shrink && widths[i]! > MIN_NAME && (at < 0 || widths[i]! > widths[at]!)) at = i;
    });
    if (at < 0) break;
    widths[at]!--;
    excess--;
  }
  return { columns: kept, widths, dropped };
}

function processLines(ps: readonly ProcessMemoryView[], nodes: readonly NodeView[], rules: boolean, width: number): { lines: string[]; dropped: number[] } {
  const { columns, widths, dropped } = layout(processColumns(ps, nodes, rules), width);
  const line = (cell: (c: ProcessColumn) => string): string =>
    columns
      .map((c, i) => {
        const w = widths[i]!;
        const text = fit(cell(c), w);
        return c.align === 'right' ? text.padStart(w) : text.padEnd(w);
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const lines = [line((c) => c.header)];
  for (let r = 0; r < ps.length; r++) lines.push(line((c) => c.cells[r] ?? ''));
  return { lines, dropped };
}

/** The frame's lines: none longer than `size.width`, at most `size.height` of them. */
export function renderFrame(input: FrameInput, size: FrameSize): string[] {
  const { view } = input;
  const width = Math.max(1, size.width);
  const height = Math.max(1, size.height);
  const title = [`numapol top - ${clock(view.time)}`, input.source, `every ${seconds(input.intervalSeconds)}`, ...(input.hint ? [input.hint] : [])].join(' - ');
  const nodes = nodeLines(view.nodes);
  // Title, summary, blank, node table, blank, process header: what is left is for processes.
  const room = height - (2 + 1 + nodes.length + 1 + 1);
  const ps = topOrder(view.processes);
  const shown = Number.isFinite(room) ? ps.slice(0, Math.max(0, room)) : ps;
  const procs = processLines(shown, view.nodes, input.rules, width);
  const total = ps.reduce((s, p) => s + p.totalBytes, 0);
  const remote = ps.reduce((s, p) => s + p.remoteBytes, 0);
  const managed = ps.filter((p) => p.managed).length;
  const summary = [
    `${ps.length} process${ps.length === 1 ? '' : 'es'}${shown.length < ps.length ? ` (${shown.length} shown)` : ''}${input.rules ? `, ${managed} managed` : ''}`,
    `memory ${formatBytes(total)}, remote ${formatBytes(remote)}${total > 0 ? ` (${percent(remote / total)})` : ''}`,
  ].join('; ');
  // Said in the blank line above the processes: no row is lost to it.
  const dropped = procs.dropped.length > 0 ? `(node${procs.dropped.length === 1 ? '' : 's'} ${formatNodeList(procs.dropped)} not shown: too narrow)` : '';
  const lines = [title, summary, '', ...nodes, dropped, ...procs.lines];
  return lines.slice(0, height).map((l) => fit(l, width));
}

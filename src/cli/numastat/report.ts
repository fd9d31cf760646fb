/**
 * numastat's reports (numactl 2.0.16), each as numastat builds and prints it: the allocation
 * counters (its compatible layout without arguments, MB otherwise), per-node meminfo (-m), and
 * per-process memory per node (-p), with -c, -s, -v, -z and NUMASTAT_WIDTH.
 */
import { readFileSync } from 'node:fs';
import { pageSize } from '../../kernel/index.js';
import { parseNumaMaps } from '../../procfs/numa-maps.js';
import { listPids } from '../../procfs/processes.js';
import { readProcText } from '../../procfs/read.js';
import { nodeDirsIn } from '../../topology/nodes.js';
import { nodeSysDir } from '../../topology/sysfs.js';
import { perrorLine } from '../numactl/failure.js';
import type { Io } from '../command.js';
import { Vtab } from './vtab.js';

export interface NumastatSettings {
  /** -c: columns as narrow as their contents, no decimals. */
  readonly compress: boolean;
  /** -v: a table per process even for several. */
  readonly verbose: boolean;
  /** Not -z: rows and columns of zeros are shown. */
  readonly showZero: boolean;
  /** -s: sort rows, by `sortNode`'s column when it is a node's index, else by the total. */
  readonly sort: boolean;
  readonly sortNode: number;
  readonly screenWidth: number;
  /** No arguments at all: the old perl numastat's layout (pages, node0 headers, no totals). */
  readonly compat: boolean;
}

const MB = 1024 * 1024;

/** numastat's display width: NUMASTAT_WIDTH, else 80 on a terminal, else no folding. */
export function screenWidth(env: NodeJS.ProcessEnv, isTty: boolean): number {
  let w = 80;
  const v = env['NUMASTAT_WIDTH'];
  if (v !== undefined) {
    w = Number.parseInt(v, 10) || 0;
    if (w < 1 || w > 10000000) w = 80;
  } else if (!isTty) w = 10000000;
  return Math.max(w, 32);
}

/** The nodeN directories, ascending; numastat's columns. */
export function numastatNodes(): number[] {
  return nodeDirsIn(nodeSysDir('/'));
}

function hugePageBytes(): number {
  const m = /^Hugepagesize:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** /proc/PID/status's Name, as numastat reads it; undefined when unreadable (numastat: "(null)"). */
export function commandName(pid: number): string | undefined {
  try {
    const m = /^Name:\s*(.*)$/m.exec(readProcText(pid, 'status'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** numastat's -p PATTERN: processes whose Name and command line contain it, not numastat itself. */
export function pidsMatching(pattern: string): number[] {
  const out: number[] = [];
  for (const pid of listPids()) {
    let text = commandName(pid) ?? '';
    try {
      text = `${text} ${readProcText(pid, 'cmdline').replace(/\0/g, ' ')}`.slice(0, 2047);
    } catch {
      // Gone meanwhile: only its name, if it had one.
    }
    if (text.includes(pattern) && pid !== process.pid) out.push(pid);
  }
  return out;
}

const COUNTERS: readonly [string, string][] = [
  ['numa_hit', 'Numa_Hit'], ['numa_miss', 'Numa_Miss'], ['numa_foreign', 'Numa_Foreign'],
  ['interleave_hit', 'Interleave_Hit'], ['local_node', 'Local_Node'], ['other_node', 'Other_Node'],
];

const MEMINFO: readonly string[] = [
  'MemTotal', 'MemFree', 'MemUsed', 'HighTotal', 'HighFree', 'LowTotal', 'LowFree', 'Active', 'Inactive',
  'Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable', 'Mlocked', 'Dirty',
  'Writeback', 'FilePages', 'Mapped', 'AnonPages', 'Shmem', 'KernelStack', 'PageTables', 'NFS_Unstable',
  'Bounce', 'WritebackTmp', 'Slab', 'SReclaimable', 'SUnreclaim', 'AnonHugePages', 'ShmemHugePages',
  'ShmemPmdMapped', 'HugePages_Total', 'HugePages_Free', 'HugePages_Surp', 'KReclaimable',
];

/** One node file's lines as numastat splits them: name, value, and for meminfo its unit. */
function nodeFileLines(node: number, file: 'numastat' | 'meminfo', io: Io): { name: string; value: number; unit: string }[] | undefined {
  const path = `/sys/devices/system/node/node${node}/${file}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    io.stderr(perrorLine(`cannot open ${path}`, Math.abs((e as NodeJS.ErrnoException).errno ?? 2)));
    return undefined;
  }
  const out: { name: string; value: number; unit: string }[] = [];
  const skip = file === 'meminfo' ? 2 : 0;
  for (const line of text.split('\n')) {
    const tok = line.split(/[ \t\r\n:]+/).filter((t) => t !== '');
    if (tok.length === 0) continue;
    out.push({ name: tok[skip] ?? '', value: Number.parseInt(tok[skip + 1] ?? '0', 10) || 0, unit: tok.length < 4 ? 'page' : tok[4] ?? '' });
  }
  return out;
}

/**
 * The counters (-n, or no arguments) or per-node meminfo (-m) table; false when a node's file
 * could not be read (numastat exits 1 there).
 */
export function systemTable(kind: 'numastat' | 'meminfo', nodes: readonly number[], s: NumastatSettings, io: Io): boolean {
  const rows = kind === 'numastat' ? COUNTERS.map(([t, l]) => (s.compat ? t : l)) : MEMINFO;
  const tokens = kind === 'numastat' ? COUNTERS.map(([t]) => t) : MEMINFO;
  if (kind === 'meminfo') io.stdout('\nPer-node system memory usage (in MBs):\n');
  else if (!s.compat) io.stdout('\nPer-node numastat info (in MBs):\n');
  const headerRows = s.compat ? 1 : 2;
  const t = new Vtab(headerRows, 1, rows.length, nodes.length + 1);
  const total = 1 + nodes.length;
  rows.forEach((label, i) => t.set(headerRows + i, 0, { kind: 'text', text: label }));
  t.width[0] = 16;
  const page = pageSize();
  const huge = kind === 'meminfo' ? hugePageBytes() : 0;
  for (let i = 0; i < nodes.length + (s.compat ? 0 : 1); i++) {
    const col = 1 + i;
    t.set(0, col, { kind: 'text', text: i === nodes.length ? 'Total' : s.compat ? `node${nodes[i]}` : `Node ${nodes[i]}` });
    if (!s.compat) {
      t.set(1, col, { kind: 'rule', char: '-' });
      t.decimals[col] = s.compress ? 0 : 2;
    }
    t.width[col] = 16;
    t.rightAligned[col] = true;
    if (i === nodes.length) break;
    const lines = nodeFileLines(nodes[i]!, kind, io);
    if (lines === undefined) return false;
    for (const l of lines) {
      const row = tokens.indexOf(l.name);
      if (row < 0) {
        io.stdout(`Token ${l.name} not in hash table.\n`);
        continue;
      }
      let v = l.value;
      if (!s.compat) {
        const mult = l.unit === 'page' ? page : l.name.startsWith('HugePages') ? huge : l.unit.startsWith('kB') ? 1024 : 1;
        v = (v * mult) / MB;
      }
      t.set(headerRows + row, col, { kind: 'number', value: v });
      t.add(headerRows + row, total, v);
    }
  }
  if (s.compress) for (let c = 0; c <= nodes.length + 1; c++) t.fitColumn(c, 4, 16);
  if (s.sort) t.sortDescending(headerRows, headerRows + rows.length - 1, sortColumn(s, nodes));
  io.stdout(t.display(s.screenWidth, s.showZero));
  return true;
}

function sortColumn(s: NumastatSettings, nodes: readonly number[]): number {
  // numastat takes the node id at position N as the column: the same as N on machines whose
  // node ids have no gaps.
  return s.sortNode < 0 || s.sortNode >= nodes.length ? 1 + nodes.length : 1 + nodes[s.sortNode]!;
}

const CATEGORIES = ['Huge', 'Heap', 'Stack', 'Private'];

/** Per-process memory per node: one table per process (-v, or a single one), else one row each. */
export function processTables(pids: readonly number[], nodes: readonly number[], s: NumastatSettings, io: Io): void {
  const split = s.verbose || pids.length === 1;
  const dataRows = split ? CATEGORIES.length : pids.length;
  const t = new Vtab(2, 1, dataRows + 2, nodes.length + 1);
  const totalCol = 1 + nodes.length;
  const totalRow = 2 + dataRows + 1;
  t.set(totalRow, 0, { kind: 'text', text: 'Total' });
  if (split) CATEGORIES.forEach((c, i) => t.set(2 + i, 0, { kind: 'text', text: c }));
  else {
    t.set(0, 0, { kind: 'text', text: 'PID' });
    t.set(1, 0, { kind: 'rule', char: '-' });
    io.stdout('\nPer-node process memory usage (in MBs)\n');
  }
  t.width[0] = 16;
  for (let i = 0; i <= nodes.length; i++) {
    const col = 1 + i;
    t.set(0, col, { kind: 'text', text: i === nodes.length ? 'Total' : `Node ${nodes[i]}` });
    t.set(1, col, { kind: 'rule', char: '-' });
    t.width[col] = 16;
    t.decimals[col] = s.compress ? 0 : 2;
    t.rightAligned[col] = true;
  }
  t.zeroData();
  const page = pageSize();
  const huge = hugePageBytes();
  pids.forEach((pid, k) => {
    const name = commandName(pid) ?? '(null)';
    if (split) {
      io.stdout(`\nPer-node process memory usage (in MBs) for PID ${pid} (${name})\n`);
      if (k > 0) t.zeroData();
    } else {
      t.set(2 + k, 0, { kind: 'text', text: `${pid} (${name})`.slice(0, 63) });
    }
    let text: string;
    try {
      text = readProcText(pid, 'numa_maps');
    } catch (e) {
      const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
      io.stderr(perrorLine(`Can't read /proc/${pid}/numa_maps`, Math.abs(cause?.errno ?? 2)));
      return;
    }
    for (const e of parseNumaMaps(text)) {
      const cat = e.huge ? 0 : e.heap ? 1 : e.stack ? 2 : 3;
      const row = 2 + (split ? cat : k);
      for (const [node, pages] of Object.entries(e.pagesPerNode)) {
        const col = 1 + nodes.indexOf(Number(node));
        if (col === 0) continue;
        const v = (pages * (cat === 0 ? huge : page)) / MB;
        t.add(row, col, v);
        t.add(row, totalCol, v);
        t.add(totalRow, col, v);
        t.add(totalRow, totalCol, v);
      }
    }
    if (!split && k + 1 !== pids.length) return;
    if (s.compress) for (let c = 0; c <= nodes.length + 1; c++) t.fitColumn(c, 4, 16);
    else t.fitColumn(0, 16, 24);
    t.rowAlways[totalRow - 1] = true;
    for (let c = 0; c <= nodes.length + 1; c++) t.set(totalRow - 1, c, { kind: 'rule', char: '-' });
    if (s.sort) t.sortDescending(2, 2 + dataRows - 1, sortColumn(s, nodes));
    io.stdout(t.display(s.screenWidth, s.showZero));
  });
}

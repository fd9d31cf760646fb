/**
 * The daemon's Prometheus metrics (prom-client, text format on GET /metrics). Counters follow
 * the daemon's events as they happen; node and process gauges are read from /sys and /proc when
 * Prometheus scrapes. Per-process series exist for every rule-managed process plus the largest
 * others (`metrics.top-processes`), so their number stays bounded.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Daemon } from '../daemon.js';
import type { JournalEntry } from '../ports.js';
import { MemoryViews } from '../views/memory-view.js';

interface Tally {
  busy?: number;
  noMemory?: number;
  shared?: number;
  notPresent?: number;
  other?: Record<string, number>;
}

interface Flow {
  from: number;
  to: number;
  pages: number;
}

export interface MetricsOptions {
  readonly root?: string;
  /** Processes with their own series besides the managed ones (default 20). */
  readonly topProcesses?: number;
  readonly version?: string;
}

export class DaemonMetrics {
  readonly registry = new Registry();

  constructor(daemon: Daemon, o: MetricsOptions = {}) {
    const r = this.registry;
    const views = new MemoryViews(daemon, o.root);
    const top = o.topProcesses ?? 20;
    new Gauge({ name: 'numapol_info', help: 'numapol version (always 1)', labelNames: ['version'], registers: [r] }).set({ version: o.version ?? '0' }, 1);

    const actions = new Counter({ name: 'numapol_actions_total', help: 'Actions journaled, by kind and outcome', labelNames: ['action', 'outcome'], registers: [r] });
    const migrated = new Counter({ name: 'numapol_pages_migrated_total', help: 'Pages moved by the daemon (rules, API, undo), by source and destination node', labelNames: ['from', 'to'], registers: [r] });
    const failed = new Counter({ name: 'numapol_pages_failed_total', help: 'Pages that did not move, by reason (busy, no_memory, shared, not_present, or an errno name)', labelNames: ['reason'], registers: [r] });
    const stops = new Histogram({
      name: 'numapol_process_stop_seconds',
      help: 'How long a process stayed stopped while its threads ran injected calls',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [r],
    });
    const rescans = new Histogram({ name: 'numapol_rescan_seconds', help: 'Duration of the /proc rescans', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [r] });
    const matches = new Counter({ name: 'numapol_rule_matches_total', help: 'Processes a rule started to match (exclude rules too)', labelNames: ['rule'], registers: [r] });
    const overruns = new Counter({ name: 'numapol_connector_overruns_total', help: 'Times the process-events connector lost events (a rescan followed)', registers: [r] });

    daemon.on('action', (e: JournalEntry, extra?: { result?: unknown }) => {
      if (e.outcome === 'running') return;
      actions.inc({ action: e.action, outcome: e.outcome });
      const result = (extra?.result ?? e.result) as { flows?: Flow[]; tally?: Tally; stop?: { stoppedMs?: number }; pages?: { flows?: Flow[]; tally?: Tally } } | null;
      if (result === null || typeof result !== 'object') return;
      for (const f of [...(result.flows ?? []), ...(result.pages?.flows ?? [])]) migrated.inc({ from: String(f.from), to: String(f.to) }, f.pages);
      for (const t of [result.tally, result.pages?.tally]) if (t !== undefined) countFailures(failed, t);
      if (typeof result.stop?.stoppedMs === 'number') stops.observe(result.stop.stoppedMs / 1000);
    });
    daemon.on('rescan', (x: { ms: number }) => rescans.observe(x.ms / 1000));
    daemon.on('rule-match', (x: { rule: string }) => matches.inc({ rule: x.rule }));
    daemon.on('overrun', () => overruns.inc());

    const nodeTotal = new Gauge({ name: 'numapol_node_memory_total_bytes', help: "A node's memory", labelNames: ['node'], registers: [r] });
    const nodeFree = new Gauge({ name: 'numapol_node_memory_free_bytes', help: "A node's free memory", labelNames: ['node'], registers: [r] });
    const nodeUsed = new Gauge({ name: 'numapol_node_memory_used_bytes', help: "A node's memory in use, by kind: anon, file, huge (hugetlb pages in use)", labelNames: ['node', 'kind'], registers: [r] });
    const nodeBusy = new Gauge({ name: 'numapol_node_cpu_busy_ratio', help: "Busy fraction of a node's CPUs since the previous scrape", labelNames: ['node'], registers: [r] });
    const procMem = new Gauge({ name: 'numapol_process_memory_bytes', help: 'Resident memory of a process on a node (managed processes and the largest others)', labelNames: ['pid', 'comm', 'node'], registers: [r] });
    const procLocal = new Gauge({ name: 'numapol_process_local_ratio', help: "Share of a process's memory on the nodes its threads last ran on", labelNames: ['pid', 'comm'], registers: [r] });
    const managed = new Gauge({ name: 'numapol_processes_managed', help: 'Processes a rule manages now', registers: [r] });

    const scraped = new Gauge({ name: 'numapol_scrape_processes', help: 'Processes with their own series in this scrape', registers: [r] });
    // One look at /sys and /proc per scrape, before the registry prints: prom-client would
    // otherwise print gauges registered before a collecting one with the previous look's values.
    this.refresh = () => {
      const current = views.look(top);
      scraped.set(current.processes.length);
      for (const g of [nodeTotal, nodeFree, nodeUsed, nodeBusy, procMem, procLocal]) g.reset();
      for (const n of current.nodes) {
        const node = String(n.node);
        nodeTotal.set({ node }, n.memTotalBytes);
        nodeFree.set({ node }, n.memFreeBytes);
        nodeUsed.set({ node, kind: 'anon' }, n.anonBytes);
        nodeUsed.set({ node, kind: 'file' }, n.fileBytes);
        nodeUsed.set({ node, kind: 'huge' }, n.hugepages.reduce((s, h) => s + (h.total - h.free) * h.sizeBytes, 0));
        nodeBusy.set({ node }, n.cpuBusy);
      }
      for (const p of current.processes) {
        const pid = String(p.pid);
        for (const [node, bytes] of Object.entries(p.bytesPerNode)) procMem.set({ pid, comm: p.comm, node }, bytes);
        procLocal.set({ pid, comm: p.comm }, p.localRatio);
      }
      managed.set(daemon.status().managed);
    };
  }

  private readonly refresh: () => void;

  /** The text Prometheus reads, from a fresh look at nodes and processes. */
  metrics(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }
}

function countFailures(c: Counter<'reason'>, t: Tally): void {
  if (t.busy) c.inc({ reason: 'busy' }, t.busy);
  if (t.noMemory) c.inc({ reason: 'no_memory' }, t.noMemory);
  if (t.shared) c.inc({ reason: 'shared' }, t.shared);
  for (const [k, v] of Object.entries(t.other ?? {})) if (v) c.inc({ reason: k }, v);
}

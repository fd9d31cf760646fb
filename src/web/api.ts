/**
 * The daemon's JSON API as the dashboard uses it. Requests go to the page's own origin with its
 * cookie (over TCP, the HttpOnly token cookie set by /?token=; on the Unix socket, none needed).
 * The types list the fields the page reads; the answers carry more.
 */
// The server's own types (erased by the bundler: nothing of the server's code comes along).
import type { PlacementView } from '../daemon/auto-placer.js';
import type { DaemonStatus, JobView, PlanItem, ProcessView } from '../daemon/daemon.js';
import type { Decision, Placement } from '../daemon/placement/index.js';
import type { JournalEntry } from '../daemon/ports.js';
import type { NodeMemory, ThreadReport } from '../ops/show.js';
import type { MemoryView, NodeView, ProcessMemoryView } from '../ops/read/memory-view.js';

export type { JobView, JournalEntry, MemoryView, NodeMemory, NodeView, PlacementView, PlanItem, ProcessView, ThreadReport };
export type PlacementDecision = Decision;
export type PlacementOption = Placement;
export type Status = DaemonStatus;
export type ProcessMemory = ProcessMemoryView;

export interface Vma {
  /** Addresses as "0x…" hex. */
  readonly start: string;
  readonly end: string;
  readonly perms: string;
  readonly path: string;
  readonly kind: string;
  readonly deleted: boolean;
  readonly anonName?: string;
  readonly policyText?: string;
  readonly hugetlb: boolean;
  readonly pagesPerNode: Readonly<Record<string, number>>;
  readonly pages: number;
  readonly pageSizeKiB?: number;
}

export interface ProcessDetail {
  readonly pid: number;
  readonly daemon: ProcessView | null;
  readonly show: {
    readonly name: string;
    readonly state: string;
    readonly cpuset: { readonly mems: readonly number[]; readonly cpus: readonly number[] };
    readonly threads: readonly ThreadReport[];
    readonly memory: readonly NodeMemory[];
    readonly totalBytes: number;
  };
  readonly vmas: readonly Vma[];
  readonly journal: readonly JournalEntry[];
}

export interface RuleView {
  readonly name: string;
  readonly mode?: string;
  readonly rule?: unknown;
  readonly inactive?: string;
}

export interface PolicyRequest {
  readonly pid: number;
  readonly policy: string;
  readonly threads?: readonly number[];
  readonly vma?: string;
  readonly move?: boolean;
}

export interface MigrateRequest {
  readonly pid: number;
  readonly from: string;
  readonly to: string;
  /** MB/s. */
  readonly rate?: number;
}

export type CpusRequest = { readonly pid: number; readonly nodes: string } | { readonly pid: number; readonly cpus: string };

/** An answer other than 2xx: the daemon's error code and message, as it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new ApiError(0, 'ENETWORK', `the daemon does not answer (${e instanceof Error ? e.message : String(e)})`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, typeof err?.code === 'string' ? err.code : 'EHTTP', typeof err?.message === 'string' ? err.message : `${method} ${path}: HTTP ${res.status}`);
  }
  return json as T;
}

export const api = {
  status: () => call<Status>('GET', '/v1/status'),
  memory: (top: number) => call<MemoryView>('GET', `/v1/memory?top=${top}`),
  processes: () => call<ProcessView[]>('GET', '/v1/processes'),
  process: (pid: number) => call<ProcessDetail>('GET', `/v1/processes/${pid}`),
  journal: (limit: number) => call<JournalEntry[]>('GET', `/v1/journal?limit=${limit}`),
  rules: () => call<RuleView[]>('GET', '/v1/rules'),
  plan: () => call<PlanItem[]>('GET', '/v1/plan'),
  setPolicy: (r: PolicyRequest) => call<JournalEntry>('POST', '/v1/policy', r),
  migrate: (r: MigrateRequest) => call<JournalEntry>('POST', '/v1/migrate', r),
  cpus: (r: CpusRequest) => call<JournalEntry>('POST', '/v1/cpus', r),
  jobs: () => call<JobView[]>('GET', '/v1/jobs'),
  placement: () => call<PlacementView>('GET', '/v1/placement'),
  /** Every process of the job to the nodes `to` (the k-th source node to the k-th of `to`). */
  moveJob: (name: string, to: string, from?: string) => call<JournalEntry>('POST', `/v1/jobs/${encodeURIComponent(name)}/move`, { to, ...(from === undefined ? {} : { from }) }),
  undo: (id: number) => call<JournalEntry>('POST', `/v1/undo/${id}`),
};

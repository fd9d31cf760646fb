/**
 * GET /v1/memory: ops' memory view (nodes, and where processes' memory is against where their
 * threads run) with the processes the daemon's rules manage always in it, each with its rule.
 */
import { MemoryViewSampler, type MemoryView } from '../../ops/index.js';
import type { Daemon } from '../daemon.js';

export type { MemoryView, NodeView, ProcessMemoryView } from '../../ops/index.js';

export class MemoryViews {
  private readonly sampler: MemoryViewSampler;

  constructor(
    private readonly daemon: Pick<Daemon, 'processes'>,
    root?: string,
  ) {
    this.sampler = new MemoryViewSampler(root === undefined ? {} : { root });
  }

  /** Managed processes and the `top` largest others. */
  look(top: number): MemoryView {
    const managed = new Map(this.daemon.processes().filter((p) => p.state === 'managed').map((p) => [p.pid, p.rule] as const));
    return this.sampler.look(top, managed);
  }
}

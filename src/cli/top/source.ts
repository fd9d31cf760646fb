/**
 * Where `numapol top` gets its view: the daemon (GET /v1/memory, which also names the rule that
 * manages each process) when its socket answers, else the same view computed here through ops.
 */
import { NumapolError } from '../../errors.js';
import { MemoryViewSampler, type MemoryView, type ProcessMemoryView } from '../../ops/read/memory-view.js';
import { callDaemon, noDaemon } from '../daemon-client.js';

export interface ViewSource {
  readonly kind: 'daemon' | 'local';
  /** For the title: "daemon on PATH" or "local". */
  readonly label: string;
  look(): Promise<MemoryView>;
}

export function localSource(top: number, note = ''): ViewSource {
  // From boot at the first look: one sample (--json, the first frame) shows real CPU use, not 0.
  const sampler = new MemoryViewSampler({ sinceBoot: true });
  return { kind: 'local', label: `local${note}`, look: () => Promise.resolve(sampler.look(top)) };
}

/** A daemon's answer with the fields an older daemon lacks filled in (remoteBytes). */
export function viewOfAnswer(answer: MemoryView): MemoryView {
  const processes = answer.processes.map(
    (p): ProcessMemoryView => ({ ...p, remoteBytes: typeof p.remoteBytes === 'number' ? p.remoteBytes : p.totalBytes - p.localBytes, rule: p.rule ?? null, managed: p.managed === true }),
  );
  return { ...answer, processes };
}

export function daemonSource(socket: string, top: number): ViewSource {
  return { kind: 'daemon', label: `daemon on ${socket}`, look: async () => viewOfAnswer(await callDaemon<MemoryView>(socket, 'GET', `/v1/memory?top=${top}`)) };
}

/** The daemon went away mid-way: its socket is gone, refuses, or dropped the connection. */
function lost(e: unknown): boolean {
  return noDaemon(e) || (e instanceof NumapolError && (e.code === 'ECONNRESET' || e.code === 'EPIPE'));
}

export interface SourceChoice {
  readonly top: number;
  /** --no-daemon */
  readonly local: boolean;
  readonly socket: string;
  /** The socket was named (--socket): a daemon that does not answer there is an error, not a fallback. */
  readonly named: boolean;
}

/** The source and its first view: the daemon's if it answers, else local. */
export async function openSource(c: SourceChoice): Promise<{ source: ViewSource; first: MemoryView }> {
  if (!c.local) {
    const daemon = daemonSource(c.socket, c.top);
    try {
      return { source: daemon, first: await daemon.look() };
    } catch (e) {
      if (c.named || !noDaemon(e)) throw e;
    }
  }
  const local = localSource(c.top);
  return { source: local, first: await local.look() };
}

/**
 * A source that leaves the daemon for the local view when the daemon stops answering mid-way
 * (restarted, stopped): the screen goes on, its title says so.
 */
export function resilient(source: ViewSource, top: number): ViewSource {
  if (source.kind === 'local') return source;
  let current = source;
  return {
    get kind() {
      return current.kind;
    },
    get label() {
      return current.label;
    },
    look: async () => {
      if (current.kind === 'local') return current.look();
      try {
        return await current.look();
      } catch (e) {
        if (!lost(e)) throw e;
      }
      // A connection the daemon dropped (it restarted): ask once more on a new one.
      try {
        return await current.look();
      } catch (e) {
        if (!lost(e)) throw e;
      }
      current = localSource(top, ' (the daemon stopped answering)');
      return current.look();
    },
  };
}

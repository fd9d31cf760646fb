/**
 * The `shm:` rules (seed 004): each named tmpfs/hugetlbfs file or System V segment gets its rule's
 * policy, the daemon holds it so the policy outlives every mapping, and a recreated object (a new
 * inode or segment id) gets the policy again. Looked at when the daemon starts, at every rescan
 * and when its directory changes.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { holdShmObject, shmIdentity, type ShmHold } from '../ops/index.js';
import type { ShmRule } from './rules/compiled.js';

interface Kept {
  readonly rule: ShmRule;
  hold?: ShmHold;
  /** The identity the policy was applied to (the held object, or a SysV segment). */
  applied?: string;
}

export interface ShmKeeperHooks {
  /** Runs (or, in advise mode, journals) the rule's action on the object now there. */
  apply(rule: ShmRule, identity: string): Promise<unknown>;
  root?: string;
  onChange?: () => void;
}

export class ShmKeeper {
  private kept = new Map<string, Kept>();
  private watchers = new Map<string, FSWatcher>();

  constructor(private readonly hooks: ShmKeeperHooks) {}

  /** Takes the rules (a reload may add, change or drop some) and looks at every object. */
  setRules(rules: readonly ShmRule[]): void {
    const next = new Map<string, Kept>();
    for (const r of rules) {
      const old = this.kept.get(r.name);
      if (old !== undefined && old.rule.spec === r.spec) next.set(r.name, { ...old, rule: r });
      else {
        old?.hold?.release();
        next.set(r.name, { rule: r });
      }
    }
    for (const [name, k] of this.kept) if (!next.has(name)) k.hold?.release();
    this.kept = next;
    this.watchDirs();
    void this.sync();
  }

  private running: Promise<void> | undefined;
  private again = false;

  /** Applies each rule whose object is new or was recreated; holds files. One pass at a time. */
  sync(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const ro = this.hooks.root === undefined ? {} : { root: this.hooks.root };
    for (const k of this.kept.values()) {
      const t = targetOf(k.rule);
      const now = shmIdentity(t, ro);
      if (now === undefined) {
        // Gone: let go of the old inode, so its memory can be freed.
        k.hold?.release();
        delete k.hold;
        continue;
      }
      if (now === k.applied) continue;
      k.hold?.release();
      const hold = holdShmObject(t, ro);
      if (hold === undefined) continue;
      k.hold = hold;
      k.applied = hold.identity;
      // A failure is journaled; it is not retried until the object changes or the rule does.
      await this.hooks.apply(k.rule, hold.identity);
    }
  }

  /** Objects held now, for status views. */
  held(): { rule: string; identity: string }[] {
    return [...this.kept.values()].filter((k) => k.hold !== undefined).map((k) => ({ rule: k.rule.name, identity: k.hold!.identity }));
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const k of this.kept.values()) k.hold?.release();
  }

  private watchDirs(): void {
    const dirs = new Set([...this.kept.values()].flatMap((k) => (k.rule.action.file !== undefined ? [dirname(join(this.hooks.root ?? '/', k.rule.action.file))] : [])));
    for (const [d, w] of this.watchers) {
      if (!dirs.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, () => void this.sync().then(() => this.hooks.onChange?.()));
        w.unref();
        this.watchers.set(d, w);
      } catch {
        // A directory that does not exist yet: the rescans will find the file.
      }
    }
  }
}

function targetOf(r: ShmRule): { file?: string; shmKey?: number; shmid?: number } {
  const a = r.action;
  return a.file !== undefined ? { file: a.file } : a.shmKey !== undefined ? { shmKey: a.shmKey } : { shmid: a.shmid ?? -1 };
}

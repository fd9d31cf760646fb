/**
 * Keeping a shared memory object's policy alive while nobody maps it (seed 004: "the batch
 * manager could keep file policies alive by pinning the inode"). The shared policy of a tmpfs or
 * hugetlbfs file lives in its inode: an open descriptor keeps that inode, and so the policy, for
 * as long as it is held, even when no process maps the file. A System V segment keeps its policy
 * until it is removed: nothing needs holding. Identities tell a recreated object from the old one.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readSysvSegments, type ShmTarget } from './shm.js';
import type { OpsOptions } from './options.js';

/** "file:DEV:INO" or "sysv:SHMID"; undefined when the object does not exist (now). */
export function shmIdentity(t: ShmTarget, opts: OpsOptions = {}): string | undefined {
  if (t.file !== undefined) {
    try {
      const st = statSync(join(opts.root ?? '/', t.file));
      return st.isFile() ? `file:${st.dev}:${st.ino}` : undefined;
    } catch {
      return undefined;
    }
  }
  const segs = readSysvSegments(opts.root);
  const seg = t.shmid !== undefined ? segs.find((s) => s.shmid === t.shmid) : segs.find((s) => s.key === t.shmKey);
  return seg === undefined ? undefined : `sysv:${seg.shmid}`;
}

export interface ShmHold {
  /** The identity of the object held (see shmIdentity). */
  readonly identity: string;
  release(): void;
}

/** Holds the object (an open descriptor for a file); undefined when it does not exist. */
export function holdShmObject(t: ShmTarget, opts: OpsOptions = {}): ShmHold | undefined {
  if (t.file === undefined) {
    const identity = shmIdentity(t, opts);
    return identity === undefined ? undefined : { identity, release() {} };
  }
  let fd: number;
  try {
    fd = openSync(join(opts.root ?? '/', t.file), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const st = fstatSync(fd);
  let open = true;
  return {
    identity: `file:${st.dev}:${st.ino}`,
    release() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

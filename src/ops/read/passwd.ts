/**
 * User names and uids from <root>/etc/passwd ("name:password:uid:gid:gecos:home:shell"). Only
 * the file: users that NSS finds elsewhere (LDAP, systemd-homed) are unknown here. Parsed once
 * per root and parsed again when the file changes (a daemon outlives `useradd`).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { OpsOptions } from '../options.js';

interface Passwd {
  /** What the file was when parsed: mtime, size and inode (useradd replaces it by rename). */
  readonly version: string;
  readonly uidByName: ReadonlyMap<string, number>;
  readonly nameByUid: ReadonlyMap<number, string>;
}

const cache = new Map<string, Passwd>();

/** Parses passwd text; the first line of a name or uid wins, as getpwnam/getpwuid read it. */
export function parsePasswd(text: string): { uidByName: Map<string, number>; nameByUid: Map<number, string> } {
  const uidByName = new Map<string, number>();
  const nameByUid = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const name = f[0] ?? '';
    const uidText = f[2] ?? '';
    // Comments, blank lines and NIS compat entries ("+", "-name") name no user of their own.
    if (f.length < 7 || name === '' || name.startsWith('#') || name.startsWith('+') || name.startsWith('-')) continue;
    if (!/^\d+$/.test(uidText)) continue;
    const uid = Number(uidText);
    if (!uidByName.has(name)) uidByName.set(name, uid);
    if (!nameByUid.has(uid)) nameByUid.set(uid, name);
  }
  return { uidByName, nameByUid };
}

function passwd(opts: OpsOptions): Passwd {
  const path = join(opts.root ?? '/', 'etc', 'passwd');
  let version = 'missing';
  try {
    const st = statSync(path);
    version = `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    // No file: no names (a fixture tree without etc/, a minimal container).
  }
  const cached = cache.get(path);
  if (cached !== undefined && cached.version === version) return cached;
  let text = '';
  if (version !== 'missing') {
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = '';
    }
  }
  const fresh: Passwd = { version, ...parsePasswd(text) };
  cache.set(path, fresh);
  return fresh;
}

/** The uid of user `name` in <root>/etc/passwd, or undefined. */
export function uidOfUser(name: string, opts: OpsOptions = {}): number | undefined {
  return passwd(opts).uidByName.get(name);
}

/** The name of `uid` in <root>/etc/passwd, or null. */
export function userOfUid(uid: number, opts: OpsOptions = {}): string | null {
  return passwd(opts).nameByUid.get(uid) ?? null;
}

/**
 * User names and uids from the root's /etc/passwd: what rules that select processes by user
 * need. Users known only through NSS (LDAP, systemd-homed) are not in that file and are not seen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpsOptions } from '../options.js';

/** name → uid of every line of /etc/passwd under the root; empty when the file is absent. */
export function readPasswdUids(opts: OpsOptions = {}): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(join(opts.root ?? '/', 'etc/passwd'), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
    throw e;
  }
  const users = new Map<string, number>();
  for (const line of text.split('\n')) {
    // name:password:uid:gid:gecos:home:shell; NIS's "+" and "-" lines name no user of their own.
    const fields = line.split(':');
    const name = fields[0];
    if (name === undefined || name === '' || name.startsWith('+') || name.startsWith('-') || fields.length < 3) continue;
    const uid = fields[2]!;
    if (!/^\d+$/.test(uid) || users.has(name)) continue;
    users.set(name, Number(uid));
  }
  return users;
}

/** The uid of a user name, or undefined when /etc/passwd has no such user. */
export function uidOfUser(name: string, opts: OpsOptions = {}): number | undefined {
  return readPasswdUids(opts).get(name);
}

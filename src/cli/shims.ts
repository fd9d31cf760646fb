/**
 * Shims: numactl, numastat and migratepages as small sh scripts that run numapol's front ends
 * (`numapol numactl "$@"`, ...), for a directory put ahead of /usr/bin on PATH. A script execs
 * node, which execs the program for numactl: `$!` in a shell stays the program's pid. An
 * existing file is never replaced unless asked (`force`): the system's own tools stay put.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

export const SHIM_NAMES = ['numactl', 'numastat', 'migratepages'] as const;
export type ShimName = (typeof SHIM_NAMES)[number];

export interface ShimTarget {
  /** The node binary to run numapol with (absolute). */
  readonly node: string;
  /** numapol's launcher, dist/src/cli/numapol.cjs (absolute). */
  readonly numapol: string;
  readonly version: string;
}

/** This numapol: the node running it and the launcher beside this module (or the bundle). */
export function thisNumapol(version: string): ShimTarget {
  return { node: process.execPath, numapol: fileURLToPath(new URL('numapol.cjs', import.meta.url)), version };
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script installed as `name`. */
export function shimScript(name: ShimName, t: ShimTarget): string {
  return `#!/bin/sh
# ${name} front end installed by 'numapol install-shims' (numapol ${t.version}): ${name}'s command
# line, output and exit statuses, answered by numapol. Delete this file to use the system's ${name}.
exec ${quote(t.node)} ${quote(t.numapol)} ${name} "$@"
`;
}

export interface InstalledShim {
  readonly name: ShimName;
  readonly path: string;
  /** A file was there before and was replaced (`force`). */
  readonly replaced: boolean;
}

/** Writes the shims into `dir` (created if missing); refuses to replace files unless `force`. */
export function installShims(dir: string, t: ShimTarget, opts: { force?: boolean } = {}): InstalledShim[] {
  const abs = resolve(dir);
  const paths = SHIM_NAMES.map((name) => ({ name, path: join(abs, name), exists: existsSync(join(abs, name)) }));
  const taken = paths.filter((p) => p.exists);
  if (taken.length > 0 && opts.force !== true) {
    throw new UsageError(
      `${taken.map((p) => p.path).join(', ')} already exist${taken.length === 1 ? 's' : ''}: numapol does not replace a file it did not write unless told to (--force)`,
    );
  }
  mkdirSync(abs, { recursive: true, mode: 0o755 });
  return paths.map(({ name, path, exists }) => {
    const tmp = `${path}.numapol-${process.pid}`;
    writeFileSync(tmp, shimScript(name, t), { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, path);
    return { name, path, replaced: exists };
  });
}

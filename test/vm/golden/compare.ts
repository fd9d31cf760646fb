/**
 * Golden comparisons for the drop-in front ends: the same command run by the real tool and by
 * numapol's shim, both found on PATH under the tool's own name, then compared with what differs
 * by nature masked: numbers that change between two runs (keeping each column's right edge, so
 * widths still count), addresses, and the usage text, which numapol words its own way.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NUMAPOL_BIN } from '../../helpers/bin.js';

export type Tool = 'numactl' | 'numastat' | 'migratepages';
export type Mask = (text: string) => string;

/** Every decimal number becomes '#' at its last character, blanks before it kept: columns keep their right edges. */
export const keepWidths: Mask = (t) => t.replace(/( *)(\d+(?:\.\d+)?)/g, (_m, sp: string, n: string) => `${' '.repeat(sp.length + n.length - 1)}#`);

/** The numbers matched by `re` become '#'. */
export const collapse =
  (re: RegExp): Mask =>
  (t) =>
    t.replace(re, '#');

export const asIs: Mask = (t) => t;

const USAGE: Readonly<Record<Tool, RegExp>> = {
  numactl: /usage: numactl[\s\S]*$/,
  numastat: /Usage: numastat[\s\S]*$/,
  migratepages: /usage: migratepages[\s\S]*$/,
};

/** The usage text, from its first word to the end of stderr (numactl prints it last). */
export function maskUsage(tool: Tool, stderr: string): string {
  return stderr.replace(USAGE[tool], '<usage>');
}

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A directory holding the real tools under their names. */
export function realTools(): string {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-real-tools-'));
  for (const t of ['numactl', 'numastat', 'migratepages']) symlinkSync(`/usr/bin/${t}`, join(dir, t));
  return dir;
}

/** A directory holding numapol's shims, installed by the shipped CLI. */
export function numapolTools(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'numapol-shims-')), 'bin');
  mkdirSync(dir);
  const r = spawnSync(process.execPath, [NUMAPOL_BIN, 'install-shims', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`install-shims failed: ${r.stderr}`);
  return dir;
}

/** Runs `tool args` as a script would: by name, found first in `dir` on PATH. */
export function runTool(dir: string, tool: Tool, args: readonly string[], env: Readonly<Record<string, string>> = {}): Outcome {
  const r = spawnSync('sh', ['-c', 'exec "$@"', 'sh', tool, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, ...env },
    timeout: 300_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal };
}

/** What is compared: both streams masked, the status and the signal. */
export function masked(tool: Tool, o: Outcome, mask: Mask): Outcome {
  return { stdout: mask(o.stdout), stderr: mask(maskUsage(tool, o.stderr)), status: o.status, signal: o.signal };
}

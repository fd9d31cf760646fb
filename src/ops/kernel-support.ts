/**
 * Whether the running kernel knows a policy's mode and flags. The kernel answers a mode it does
 * not know with a bare EINVAL; naming the release that added it tells the user what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NumapolError } from '../errors.js';
import type { Mempolicy } from '../policy/model.js';
import type { OpsOptions } from './options.js';

type Version = readonly [number, number];

const MODE_SINCE: Readonly<Partial<Record<Mempolicy['mode'], Version>>> = {
  local: [3, 8],
  preferred_many: [5, 15],
  weighted_interleave: [6, 9],
};
const BALANCING_SINCE: Version = [5, 12];
export const HOME_NODE_SINCE: Version = [5, 17];

export function kernelRelease(opts: OpsOptions = {}): string | undefined {
  try {
    return readFileSync(join(opts.root ?? '/', 'proc/sys/kernel/osrelease'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function older(release: string | undefined, v: Version): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release ?? '');
  if (!m) return false; // unknown: let the kernel decide
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj < v[0] || (maj === v[0] && min < v[1]);
}

/** What this kernel lacks for `p`, or undefined when it should accept it. */
export function kernelSupportProblem(p: Mempolicy, opts: OpsOptions = {}): string | undefined {
  const release = kernelRelease(opts);
  const since = MODE_SINCE[p.mode];
  if (since && older(release, since)) return `${p.mode} needs Linux ${since.join('.')} or later: this kernel is ${release}`;
  if (p.flags.balancing && older(release, BALANCING_SINCE)) {
    return `the balancing flag needs Linux ${BALANCING_SINCE.join('.')} or later: this kernel is ${release}`;
  }
  return undefined;
}

/** Throws ENOTSUP (an operation error: the machine, not the user's text, is at fault). */
export function checkKernelSupports(p: Mempolicy, opts: OpsOptions = {}): void {
  const problem = kernelSupportProblem(p, opts);
  if (problem) throw new NumapolError('ENOTSUP', problem, { details: { release: kernelRelease(opts) } });
}

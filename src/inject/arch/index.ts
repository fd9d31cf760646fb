import { NumapolError } from '../../errors.js';
import { aarch64 } from './aarch64.js';
import type { Arch } from './types.js';
import { x86_64 } from './x86_64.js';

export type { Arch, ParkLayout } from './types.js';

/**
 * The register layout of the machine numapol runs on (a tracee always has the tracer's
 * architecture, or its 32-bit compat mode, which the engine rejects).
 */
export function currentArch(nodeArch: string = process.arch): Arch {
  if (nodeArch === 'x64') return x86_64;
  if (nodeArch === 'arm64') return aarch64;
  throw new NumapolError('EARCH', `remote syscalls are not supported on ${nodeArch}`);
}

import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRoot } from './deps.js';

/**
 * Where the extracted kernel and built initramfs live between runs: outside the repo, so a
 * fresh clone (CI) on the same machine reuses them. NUMAPOL_VM_CACHE overrides.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['NUMAPOL_VM_CACHE']) return env['NUMAPOL_VM_CACHE'];
  if (isRoot()) return '/var/cache/numapol-vm';
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'numapol-vm');
}

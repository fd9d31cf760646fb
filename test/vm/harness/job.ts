import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_JOB_DIR } from './guest-init.js';
import type { Topology } from './topology.js';

/** Host environment variables carried into the guest when set. */
export const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'CI', 'TERM', 'NODE_OPTIONS', 'NODE_ENV', 'NO_COLOR', 'FORCE_COLOR'] as const;

/** Quotes a string for POSIX sh (single quotes, with ' written as '\''). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The environment script the guest sources before the command. Variables not set on the host
 * are left out; NUMAPOL_VM_* tell guest tests where they are and what topology was asked for.
 */
export function envScript(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${shQuote(v)}\n`)
    .join('');
}

/** Variables for the guest: passed host ones plus the test bed's own. */
export function guestEnv(hostEnv: NodeJS.ProcessEnv, cwd: string, topology: Topology, isTty = false): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const k of PASSED_ENV) {
    const v = hostEnv[k];
    if (v !== undefined) vars[k] = v;
  }
  vars['PATH'] ??= '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';
  vars['HOME'] ??= '/root';
  // The guest console is always a terminal; when our own output is not (CI logs), say so.
  if (!isTty && hostEnv['FORCE_COLOR'] === undefined) vars['NO_COLOR'] = '1';
  vars['NUMAPOL_VM'] = '1';
  vars['NUMAPOL_VM_CWD'] = cwd;
  vars['NUMAPOL_VM_TOPOLOGY'] = JSON.stringify(topology);
  vars['NUMAPOL_VM_OUT'] = `${GUEST_JOB_DIR}/out`;
  return vars;
}

/** Writes cmd.sh and env.sh into the job share (the kernel command line carries neither). */
export function writeJob(jobDir: string, command: string, vars: Readonly<Record<string, string>>): void {
  mkdirSync(join(jobDir, 'out'), { recursive: true });
  writeFileSync(join(jobDir, 'cmd.sh'), command + '\n');
  writeFileSync(join(jobDir, 'env.sh'), envScript(vars));
}

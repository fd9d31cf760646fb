import { spawnSync } from 'node:child_process';
import { HarnessError } from './exit-codes.js';

/** Runs a host tool to completion; throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): string {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new HarnessError(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout || '').trim().split('\n').slice(-8).join('\n');
    throw new HarnessError(`${cmd} ${args.join(' ')} failed (status ${r.status ?? r.signal}):\n${tail}`);
  }
  return r.stdout;
}

/** True when `cmd` is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Progress messages go to stderr so the command's stdout stays clean. */
export function say(msg: string): void {
  process.stderr.write(`numapol-vm: ${msg}\n`);
}

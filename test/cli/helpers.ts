/** Runs the built CLI (package.json's bin, see ../helpers/bin.ts) as a user would, capturing everything it prints. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { NUMAPOL_BIN } from '../helpers/bin.js';

export const MAIN = NUMAPOL_BIN;

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export function numapol(args: readonly string[], opts: { input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input: opts.input ?? '', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, pid: r.pid ?? -1 };
}

/** A sleeping child to look at; killed by the returned function. */
export function sleeper(seconds = 300): { child: ChildProcess; pid: number; stop: () => void } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start sleep');
  return { child, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/** A pid that is not in use now (a child that has exited and was reaped). */
export function gonePid(): number {
  const r = spawnSync('true');
  if (r.pid === undefined) throw new Error('could not run true');
  return r.pid;
}

/** The stack-frame shape node prints ("    at fn (file:line:col)"). */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

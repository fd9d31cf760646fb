import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_GUEST_NEVER_RAN, EXIT_GUEST_TIMED_OUT } from './exit-codes.js';
import { say } from './proc.js';

/** How a guest run ended, as read from the job share after QEMU exits. */
export type GuestOutcome =
  | { readonly kind: 'exited'; readonly status: number }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'not-run'; readonly reason: string };

/** The harness exit status for an outcome. */
export function exitStatus(o: GuestOutcome): number {
  if (o.kind === 'exited') return o.status;
  return o.kind === 'timed-out' ? EXIT_GUEST_TIMED_OUT : EXIT_GUEST_NEVER_RAN;
}

/** Reads the guest's report from the job share. */
export function readOutcome(jobDir: string, qemuStatus: number | null, qemuSignal: string | null): GuestOutcome {
  const statusFile = join(jobDir, 'status');
  if (existsSync(statusFile)) {
    const text = readFileSync(statusFile, 'utf8').trim();
    if (/^\d+$/.test(text)) return { kind: 'exited', status: Number(text) };
    return { kind: 'not-run', reason: `guest wrote an unreadable status "${text}"` };
  }
  const how = qemuSignal ? `signal ${qemuSignal}` : `status ${qemuStatus}`;
  if (existsSync(join(jobDir, 'started'))) {
    return { kind: 'not-run', reason: `the guest stopped before the command finished (qemu ${how}; a guest panic or out-of-memory?)` };
  }
  return { kind: 'not-run', reason: `the guest never reached the command (qemu ${how}; try --verbose)` };
}

/**
 * Runs QEMU, streaming the guest console (the command's stdout and stderr) to our stdout, and
 * kills it after `timeoutSec`. Interrupting the harness stops the guest too.
 */
export function bootGuest(qemu: string, argv: readonly string[], jobDir: string, timeoutSec: number): Promise<GuestOutcome> {
  return new Promise((resolve) => {
    const child = spawn(qemu, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      say(`guest timed out after ${timeoutSec} s; killing it`);
      child.kill('SIGKILL');
    }, timeoutSec * 1000);
    const onSignal = (sig: NodeJS.Signals) => { child.kill('SIGKILL'); process.exitCode = sig === 'SIGINT' ? 130 : 143; };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.stdout.pipe(process.stdout, { end: false });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ kind: 'not-run', reason: `cannot start ${qemu}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(timedOut ? { kind: 'timed-out' } : readOutcome(jobDir, code, signal));
    });
  });
}

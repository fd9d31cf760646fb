/** A failure in the journal's terms: the process gone, or failed with a code and a message. */
import { NumapolError } from '../../errors.js';
import type { Outcome } from './action.js';

export interface Failure {
  readonly outcome: Extract<Outcome, 'failed' | 'gone'>;
  readonly code: string;
  readonly error: string;
}

/** A process that has exited (a zombie only waits for its parent to reap it) is gone, not failed. */
const GONE = new Set(['ESRCH', 'EZOMBIE']);

export function failureOf(e: unknown): Failure {
  if (e instanceof NumapolError) {
    return { outcome: GONE.has(e.code) ? 'gone' : 'failed', code: e.code, error: e.message.split('\n')[0] ?? e.message };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { outcome: 'failed', code: 'EINTERNAL', error: msg };
}

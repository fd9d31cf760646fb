/**
 * The injection engine is fast once V8 has compiled its hot paths: a fresh process's first
 * set_mempolicy on a 1,000-thread target takes ~100 ms, the same call later ~50 ms, and a
 * one-thread call ~0.3 ms early against ~0.15 ms after a few thousand (README, "Changing a running
 * process's policy"). The daemon warms it before acting, on a throwaway child of its own
 * (`sleep`), so that the first process a rule meets after start-up is not the slow one.
 */
import { spawn } from 'node:child_process';
import { setProcessPolicy } from '../ops/index.js';

export interface WarmUp {
  readonly calls: number;
  readonly ms: number;
  readonly error?: string;
}

export function warmEngine(budgetMs = 400, maxCalls = 1000): WarmUp {
  const t0 = performance.now();
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  let calls = 0;
  try {
    if (child.pid === undefined) return { calls, ms: 0, error: 'could not start sleep' };
    while (calls < maxCalls && performance.now() - t0 < budgetMs) {
      setProcessPolicy(child.pid, 'default');
      calls++;
    }
    return { calls, ms: performance.now() - t0 };
  } catch (e) {
    return { calls, ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e) };
  } finally {
    child.kill('SIGKILL');
  }
}

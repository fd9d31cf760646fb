/**
 * CLI cold start: `numapol show PID` against `node -e 0`, alternating runs in one process so
 * both see the same machine load. Goal: under 2x. Also the shipped CLI without its V8 code cache
 * (src/cli/code-cache.cts), and the same CLI loaded as tsc's separate ES modules
 * (dist/src/cli/main.js): what the cache and the bundle each save.
 */
import { spawn, spawnSync } from 'node:child_process';
import { median, type BenchFigure } from './report.js';
import { fileURLToPath } from 'node:url';
import { NUMAPOL_BIN } from '../test/helpers/bin.js';

const CLI = NUMAPOL_BIN;
const MODULES = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function timeRun(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

export function benchColdStart(runs = 21): BenchFigure[] {
  const target = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const pid = String(target.pid);
    timeRun([CLI, 'show', pid]); // warm the page cache once, and write the code cache
    const uncachedEnv = { ...process.env, NUMAPOL_CODE_CACHE: 'off' };
    const cli: number[] = [];
    const uncached: number[] = [];
    const node: number[] = [];
    const modules: number[] = [];
    for (let i = 0; i < runs; i++) {
      node.push(timeRun(['-e', '0']));
      cli.push(timeRun([CLI, 'show', pid]));
      uncached.push(timeRun([CLI, 'show', pid], uncachedEnv));
      modules.push(timeRun([MODULES, 'show', pid]));
    }
    const ratio = median(cli) / median(node);
    return [
      { name: 'cold start: numapol show PID', value: median(cli), unit: 'ms (median)', ratio, reference: `node -e 0 (${median(node).toFixed(1)} ms)`, goal: '< 2x', met: ratio < 2 },
      { name: '  the same CLI without its code cache (NUMAPOL_CODE_CACHE=off)', value: median(uncached), unit: 'ms (median)', ratio: median(uncached) / median(node), reference: 'node -e 0' },
      { name: '  the same CLI as separate ES modules (not bundled, no cache)', value: median(modules), unit: 'ms (median)', ratio: median(modules) / median(node), reference: 'node -e 0' },
    ];
  } finally {
    target.kill();
  }
}

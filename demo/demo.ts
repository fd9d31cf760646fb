/**
 * `npm run demo`: the seeds' scenario on a real program, printing each numapol command and its
 * output. Runs in the 4-node guest (npm run demo boots it) or directly on a NUMA machine.
 *
 * Seed 003: "We want to reorganize how process 12024 is allocating memory. We would like to
 * allocate most pages on node 1. However, we would like the heap pages to be allocated
 * interleaved on nodes 2 and 3."
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NUMAPOL_BIN } from '../test/helpers/bin.js';

const CLI = NUMAPOL_BIN;
const SOURCE = fileURLToPath(new URL('../../demo/target.c', import.meta.url));

function say(text: string): void {
  process.stdout.write(`\n# ${text}\n`);
}

function numapol(args: readonly string[], input?: string): number {
  process.stdout.write(`$ numapol ${args.map((a) => (/[\s'"[\]{}>]/.test(a) ? `'${a}'` : a)).join(' ')}${input ? ` <<'EOF'\n${input}EOF` : ''}\n`);
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  return r.status ?? 1;
}

function has(command: string): boolean {
  return spawnSync(process.execPath, [CLI, command, '--help'], { stdio: 'ignore' }).status === 0;
}

function nodes(): number[] {
  const text = readFileSync('/sys/devices/system/node/online', 'utf8').trim();
  return text.split(',').flatMap((r) => {
    const [a, b] = r.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

interface Target {
  child: ChildProcess;
  pid: number;
  heap: string;
  area: string;
  next: () => Promise<string>;
}

async function startTarget(bin: string, prefix: readonly string[] = []): Promise<Target> {
  const child = spawn(prefix.length ? process.execPath : bin, prefix.length ? [CLI, ...prefix, '--', bin] : [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error('the demo target exited');
    return r.value;
  };
  const ready = await next();
  const m = /pid=(\d+) heap=([0-9a-f]+) area=([0-9a-f]+)/.exec(ready);
  if (!m) throw new Error(`unexpected target output: ${ready}`);
  return { child, pid: Number(m[1]), heap: m[2]!, area: m[3]!, next };
}

async function main(): Promise<void> {
  const online = nodes();
  if (online.length < 4) {
    process.stdout.write(`This machine has ${online.length} NUMA node(s); the demo wants 4. Run it with 'npm run demo' (boots a 4-node guest).\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'numapol-demo-'));
  const bin = join(dir, 'target');
  const cc = spawnSync('cc', ['-O1', '-o', bin, SOURCE], { stdio: 'inherit' });
  if (cc.status !== 0) throw new Error('cannot compile the demo target (is cc installed?)');

  say('The machine: nodes, CPUs, memory and distances (numactl --hardware, and more).');
  numapol(['hardware']);

  say('A running program (like the seeds\' process 12024): a heap, an mmap area, libraries; it runs on node 0\'s CPUs, so its pages are on node 0.');
  const t = await startTarget(bin, online.length > 1 ? ['run', '--cpunodebind=0'] : []);
  numapol(['show', String(t.pid)]);
  say('Its memory areas (VMAs): the policy each uses and its pages per node (numa_maps joined with maps).');
  numapol(['maps', String(t.pid), '--min-pages', '1']);
  numapol(['stat', '-p', String(t.pid)]);

  if (has('set')) {
    say('Seed 003: "allocate most pages on node 1" — change the running process\'s policy from outside.');
    numapol(['set', String(t.pid), 'prefer=1']);
    say('"...but the heap pages interleaved on nodes 2 and 3" — the seeds\' numa_maps write syntax.');
    numapol(['apply', String(t.pid), '-'], `${t.heap} interleave={2,3}\n`);
    t.child.kill('SIGUSR1');
    await t.next();
    say('The program allocated more memory: new heap pages are interleaved on 2-3, other new pages on node 1.');
    numapol(['maps', String(t.pid), '--min-pages', '1', '--anon']);
  }
  if (has('migrate')) {
    say('Move everything the process has on node 0 to node 3 (migratepages).');
    numapol(['migrate', String(t.pid), '0', '3']);
    say('Move only the mmap area to node 2 — data, not text (seed 000: sys_page_migrate).');
    numapol(['move', String(t.pid), '--range', `0x${t.area}+32M`, '--to', '2']);
    numapol(['maps', String(t.pid), '--min-pages', '1', '--anon']);
  }
  t.child.kill();

  say('Launch a program under a policy (numactl --interleave=all): its pages spread over all nodes.');
  const u = await startTarget(bin, ['run', '--interleave=all']);
  numapol(['maps', String(u.pid), '--anon', '--min-pages', '1']);
  u.child.kill();
}

await main();

#!/usr/bin/env node
/**
 * numapol's entry: picks the command and loads only its module, so `numapol show $$` starts
 * nearly as fast as node itself (no FFI, no other commands).
 */
import type { Command } from './command.js';
import { runCommand } from './runner.js';
import { version } from './version.js';

interface Entry {
  readonly summary: string;
  readonly load: () => Promise<{ default: Command<unknown> }>;
}

const COMMANDS: Readonly<Record<string, Entry>> = {
  hardware: { summary: 'nodes, CPUs, memory per node and distances', load: () => import('./commands/hardware.js') },
  show: { summary: "a process: threads, their mempolicy, cpuset, pages per node", load: () => import('./commands/show.js') },
  maps: { summary: 'per-VMA table: range, what it maps, mempolicy, pages per node', load: () => import('./commands/maps.js') },
  stat: { summary: "per-node counters, meminfo and per-process memory per node (numastat's command line and layouts)", load: () => import('./commands/stat.js') },
  migrate: { summary: "move all of a process's pages between node sets (migratepages), with reasons", load: () => import('./commands/migrate.js') },
  move: { summary: 'move one area (range, VMA, heap, data) of a process to a node, in bounded steps', load: () => import('./commands/move.js') },
  shm: { summary: 'show/set the policy of tmpfs, hugetlbfs and SysV shm objects, move their pages', load: () => import('./commands/shm.js') },
  set: { summary: "change a running process's mempolicy: its threads' or a range's (injected set_mempolicy/mbind)", load: () => import('./commands/set.js') },
  'home-node': { summary: 'set the home node of bind/preferred_many ranges of a running process', load: () => import('./commands/home-node.js') },
  apply: { summary: "apply the seeds' numa_maps write syntax (POLICY, ADDR POLICY, ADDR N0>1) to a running process", load: () => import('./commands/apply.js') },
  run: { summary: 'run a program under a mempolicy and CPU binding (all of numactl\'s options)', load: () => import('./commands/run.js') },
  'install-shims': { summary: 'install numactl, numastat and migratepages front ends to numapol into a directory', load: () => import('./commands/install-shims.js') },
  numastat: { summary: 'numastat 2.0.16 drop-in: its options, layouts, messages and exit statuses', load: () => import('./commands/numastat.js') },
  migratepages: { summary: 'migratepages 2.0.16 drop-in: its syntax, messages and exit statuses', load: () => import('./commands/migratepages.js') },
  numactl: { summary: "numactl 2.0.16 drop-in: its options, output, messages and exit statuses", load: () => import('./commands/numactl.js') },
  daemon: { summary: 'the batch process manager: rules, journal, undo, API (foreground); daemon status', load: () => import('./commands/daemon.js') },
  journal: { summary: "the daemon's journal of every action, newest first", load: () => import('./commands/journal.js') },
  undo: { summary: 'put back what a journal entry changed (through the daemon)', load: () => import('./commands/undo.js') },
  plan: { summary: 'what the daemon would do now and has not done', load: () => import('./commands/plan.js') },
  advise: { summary: 'admission (numad -w): the nodes a new job should get, with every candidate scored', load: () => import('./commands/advise.js') },
  job: { summary: "the daemon's jobs: list them, move one to other nodes", load: () => import('./commands/job.js') },
  top: { summary: "live view: processes by memory off their CPUs' nodes, each node's free memory and CPU use", load: () => import('./commands/top.js') },
  completion: { summary: 'print the bash or zsh completion script', load: async () => ({ default: (await import('./commands/completion.js')).completionCommand(COMMANDS) }) },
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'Usage: numapol COMMAND [OPTIONS] [ARGS]',
    '',
    "See and change where a running process's memory lives on a NUMA machine.",
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n]?.summary ?? ''}`),
    '',
    "Run 'numapol COMMAND --help' for a command's options and JSON fields.",
    '',
  ].join('\n');
}


async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(`numapol: unknown command '${name}': run 'numapol --help' for the list\n`);
    return 2;
  }
  const mod = await entry.load();
  return runCommand(mod.default, args);
}

// Not a top-level await: the shipped CLI is this module bundled as CommonJS (numapol.cts says why).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

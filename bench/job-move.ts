/**
 * What a job feels while it is moved, in the 4-node guest: a thread of the job (job-target's
 * `stall` probe) touches its own memory page after page and maps and unmaps a page (as malloc
 * does) in a tight loop, and reports the longest pause between two rounds. Four processes (16 MiB
 * each of their own, 16 MiB each of shared anonymous, tmpfs and copy-on-write memory: 112 MiB of
 * 4 KiB pages, default policies) move between nodes 0-1 and 2-3:
 *  - the paced path (affinity, then move_pages steps), at the default step (4096 pages) and at
 *    50 MB/s (10 ms steps);
 *  - a cgroup job moved by cpuset.mems, which migrates each address space inside the write,
 *    holding its mmap lock from start to end (do_migrate_pages): the probe's mmap waits that long.
 * Also the pause of one ptrace stop of the process (what the paced path adds when the job has
 * policies to rewrite). Each figure is the median over reps of the longest pause, beside the same
 * probe's longest pause while nothing moves (the floor: emulation noise); the cgroup figure is
 * also a ratio to the paced one. Software emulation: the ratios mean more than the milliseconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRangeList } from '../src/kernel/range-list.js';
import { moveJob } from '../src/ops/jobs/move-job.js';
import { setProcessPolicy } from '../src/ops/set-policy.js';
import { CGROUP, cpusetCgroups, nodeCpus, removeCgroup } from '../test/helpers/cgroup.js';
import { startJobTarget, type JobTarget } from '../test/targets/job-target.js';
import { median, type BenchFigure } from './report.js';

const REPS = 2;
const MIB = 16;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The probe's longest pause (ms) while `f` runs. */
async function stallDuring(t: JobTarget, what: string, f: () => Promise<unknown>): Promise<number> {
  await t.gap();
  const t0 = performance.now();
  await f();
  const ms = (await t.gap()).maxUs / 1000;
  // Progress on stderr: a guest run is long, and the figures come only at its end.
  process.stderr.write(`job-move bench: ${what}: ${(performance.now() - t0).toFixed(0)} ms, longest pause ${ms.toFixed(1)} ms\n`);
  return ms;
}

export async function benchJobMove(): Promise<BenchFigure[]> {
  const online = parseRangeList(readFileSync('/sys/devices/system/node/online', 'utf8')) ?? [];
  if (online.length < 4) return [{ name: 'job move stall', value: 0, unit: '', note: `skipped: needs 4 nodes, this machine has ${online.length}` }];
  const problem = cpusetCgroups();
  if (problem !== undefined) return [{ name: 'job move stall', value: 0, unit: '', note: `skipped: ${problem}` }];
  const name = `numapol-bench-${process.pid}`;
  const cg = join(CGROUP, name);
  mkdirSync(cg);
  const dir = mkdtempSync('/dev/shm/numapol-bench-');
  const all = online.flatMap(nodeCpus).join(',');
  const low = [...nodeCpus(0), ...nodeCpus(1)].join(',');
  let t: JobTarget | undefined;
  const idle: number[] = [];
  const paced: number[] = [];
  const rated: number[] = [];
  const cpuset: number[] = [];
  const writeMs: number[] = [];
  const pacedMs: number[] = [];
  const longestStep: number[] = [];
  const stop: number[] = [];
  try {
    writeFileSync(join(cg, 'cpuset.cpus'), all);
    writeFileSync(join(cg, 'cpuset.mems'), '0-1');
    t = await startJobTarget({
      processes: 4,
      sharedMiB: MIB,
      fileMiB: MIB,
      cowMiB: MIB,
      ownMiB: MIB,
      file: join(dir, 'data'),
      options: ['nothp', 'stall'],
      wrap: ['sh', '-c', `echo $$ > ${join(cg, 'cgroup.procs')} && exec "$0" "$@"`],
    });
    const job = t.pids.map((pid) => ({ pid }));
    const target = t;
    for (let i = 0; i < REPS; i++) {
      idle.push(await stallDuring(target, 'idle', () => sleep(2000)));
      // The paced path: the cpuset allows both node sets (widening mems moves nothing).
      writeFileSync(join(cg, 'cpuset.mems'), '0-3');
      let r: Awaited<ReturnType<typeof moveJob>> | undefined;
      paced.push(await stallDuring(target, 'paced 0-1 → 2-3', async () => {
        r = await moveJob(job, { from: [0, 1], to: [2, 3] });
      }));
      pacedMs.push(r!.durationMs);
      longestStep.push(r!.longestStepMs);
      rated.push(await stallDuring(target, 'paced at 50 MB/s 2-3 → 0-1', () => moveJob(job, { from: [2, 3], to: [0, 1], rateBytesPerSecond: 50e6 })));
      // A cgroup job: its cpuset is exactly the job's nodes, and moves with it.
      writeFileSync(join(cg, 'cpuset.cpus'), low);
      writeFileSync(join(cg, 'cpuset.mems'), '0-1');
      let c: Awaited<ReturnType<typeof moveJob>> | undefined;
      cpuset.push(await stallDuring(target, 'cpuset.mems 0-1 → 2-3', async () => {
        c = await moveJob([], { cgroup: `/${name}`, to: [2, 3] });
      }));
      writeMs.push(c!.cgroup!.memsWriteMs);
      await moveJob([], { cgroup: `/${name}`, to: [0, 1] });
      writeFileSync(join(cg, 'cpuset.cpus'), all);
      stop.push(await stallDuring(target, 'one ptrace stop (policies)', async () => setProcessPolicy(target.pids[0]!, 'default')));
    }
    const v = await target.verify();
    if (!v.startsWith('verify ok')) throw new Error(`the job's data did not survive: ${v}`);
  } finally {
    t?.kill();
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
    await removeCgroup(cg);
  }
  const floor = median(idle);
  const p = median(paced);
  const c = median(cpuset);
  return [
    { name: 'longest pause of a job thread, nothing moving (floor)', value: floor, unit: 'ms', note: `median of ${idle.length}, 2 s each` },
    {
      name: `longest pause during a paced job move, ${MIB * 7} MiB 0-1 → 2-3 (4096-page steps)`,
      value: p,
      unit: 'ms',
      note: `moves took ${median(pacedMs).toFixed(0)} ms; longest move_pages step ${Math.max(...longestStep).toFixed(0)} ms`,
    },
    { name: `longest pause during a paced job move at 50 MB/s (122-page steps), ${MIB * 7} MiB 2-3 → 0-1`, value: median(rated), unit: 'ms' },
    {
      name: `longest pause during a cgroup job move (cpuset.mems write), ${MIB * 7} MiB 0-1 → 2-3`,
      value: c,
      unit: 'ms',
      ratio: c / p,
      reference: 'the paced move (4096-page steps), same run',
      note: `the write took ${median(writeMs).toFixed(0)} ms (every page migrated inside it)`,
    },
    { name: 'longest pause during one ptrace stop of the process (a policy rewrite)', value: median(stop), unit: 'ms', note: 'what the paced path adds per process when the job has policies' },
  ];
}

export const run = benchJobMove;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printFigures } = await import('./report.js');
  printFigures('job move: what a job thread feels (4-node guest, emulated)', await benchJobMove());
}

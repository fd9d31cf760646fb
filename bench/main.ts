/**
 * `npm run bench`: every speed goal of the project, each as a ratio to a reference measured in
 * the same run. Host benchmarks run here; multi-node ones (migration) run in the 4-node guest.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchColdStart } from './cold-start.js';
import { benchDaemon } from './daemon.js';
import { benchFaults } from './faults.js';
import { benchInject } from './inject.js';
import { benchJournal } from './journal.js';
import { benchParseNumaMaps } from './parse-numa-maps.js';
import { benchPlacement } from './placement.js';
import { benchProcEvents } from './proc-events.js';
import { printFigures } from './report.js';

const args = process.argv.slice(2);
const only = args.filter((a) => !a.includes('='));
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const want = (name: string): boolean => only.length === 0 || only.includes(name);

if (want('parse')) {
  const p = await benchParseNumaMaps();
  printFigures('numa_maps parsing (100,000 VMAs)', [
    { name: 'readVmas (maps + numa_maps, parse + join)', value: p.vmasPerSecond, unit: 'VMAs/s', ratio: p.ratioToSplit, reference: 'read + split lines only' },
    { name: 'streamVmas', value: p.streamVmasPerSecond, unit: 'VMAs/s' },
  ]);
}
if (want('cold-start')) printFigures('CLI cold start', benchColdStart());
if (want('inject')) printFigures("changing a running process's policy (1,000 threads and one; gdb in the same run)", await benchInject());
if (want('journal')) printFigures('daemon journal writes (SQLite, WAL)', benchJournal());
if (want('proc-events')) printFigures('process events: exec to callback, and the idle cost of the stream', await benchProcEvents());
if (want('daemon')) printFigures('the daemon: exec to rule, idle cost, API on 1,000 threads, 10,000 processes', await benchDaemon());
if (want('placement')) printFigures('automatic placement: one decision pass over 1,000 processes', benchPlacement());
// Long (about 0.3 s a kill): only when asked for, `npm run bench -- faults [kills=N]`.
if (only.includes('faults')) printFigures('numapol SIGKILLed at random instants mid-operation', await benchFaults(Number(option('kills') ?? 1000)));
if (want('guest')) {
  process.stdout.write('\n== multi-node benchmarks in the 4-node guest\n');
  const harness = fileURLToPath(new URL('../test/vm/harness/main.js', import.meta.url));
  const r = spawnSync(process.execPath, [harness, 'node dist/bench/guest.js'], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

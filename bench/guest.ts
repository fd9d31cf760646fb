/** Benchmarks that need several NUMA nodes; `npm run bench` runs this inside the 4-node guest. */
import { readFileSync } from 'node:fs';
import { benchJobMove } from './job-move.js';
import { benchMigrate } from './migrate.js';
import { printFigures } from './report.js';

const online = readFileSync('/sys/devices/system/node/online', 'utf8').trim();
if (online === '0') {
  process.stdout.write('one NUMA node here: run this through npm run bench (it boots the 4-node guest)\n');
} else {
  const only = process.argv.slice(2);
  if (only.length === 0 || only.includes('migrate')) printFigures('page migration, 512 MiB node 0 → 3 (TCG guest: ratios only)', await benchMigrate());
  if (only.length === 0 || only.includes('job-move')) printFigures('job move: the longest pause of a job thread, paced vs cgroup cpuset.mems (TCG guest)', await benchJobMove());
}

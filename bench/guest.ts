/** Benchmarks that need several NUMA nodes; `npm run bench` runs this inside the 4-node guest. */
import { printFigures } from './report.js';

const benches: { title: string; load: () => Promise<{ run: () => Promise<readonly import('./report.js').BenchFigure[]> }> }[] = [];

for (const b of benches) printFigures(b.title, await (await b.load()).run());

/**
 * Child for signals.test.ts: changes a target's policy and receives SIGTERM in the middle of
 * the operation. Usage: node signal-child.js PID
 */
import { writeSync } from 'node:fs';
import { withStoppedProcess } from '../../src/inject/index.js';
import { bindAllToNode0 } from './helpers.js';

const pid = Number(process.argv[2]);
withStoppedProcess(pid, {}, (s) => {
  process.kill(process.pid, 'SIGTERM');
  process.kill(process.pid, 'SIGINT');
  const failures = bindAllToNode0(s);
  writeSync(1, `changed ${s.threads.length} failures ${failures.length}\n`);
});
writeSync(1, 'finished\n');
// Keep the loop alive: the deferred SIGTERM must end the process.
setTimeout(() => writeSync(1, 'survived\n'), 5000);

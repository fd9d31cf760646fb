import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { execvp, gettid } from '../../src/kernel/process.js';
import { SyscallError } from '../../src/kernel/syscall-error.js';

const processModule = fileURLToPath(new URL('../../src/kernel/process.js', import.meta.url));

test('gettid of the main thread is the pid; a worker has its own tid', async () => {
  assert.equal(gettid(), process.pid);
  const worker = new Worker(
    `import('${processModule}').then((m) => require('node:worker_threads').parentPort.postMessage(m.gettid()))`,
    { eval: true },
  );
  const [tid] = (await once(worker, 'message')) as [number];
  await worker.terminate();
  assert.ok(Number.isInteger(tid) && tid !== process.pid);
});

test('execvp replaces the process: same pid, env passed, stdio open, SIGPIPE not ignored', () => {
  const script = `
    import { execvp } from '${processModule}';
    process.stdout.write('node pid=' + process.pid + '\\n');
    execvp('sh', ['sh', '-c', 'echo "sh pid=$$ A=$A"; echo to-stderr >&2; grep SigIgn /proc/self/status'], { PATH: process.env.PATH, A: 'from-env' });
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const nodePid = /node pid=(\d+)/.exec(r.stdout)?.[1];
  assert.ok(nodePid !== undefined, r.stdout);
  assert.match(r.stdout, new RegExp(`sh pid=${nodePid} A=from-env`));
  assert.equal(r.stderr, 'to-stderr\n');
  const ign = BigInt('0x' + (/SigIgn:\s*([0-9a-f]+)/.exec(r.stdout)?.[1] ?? 'x'));
  assert.equal(ign & (1n << 12n), 0n, 'SIGPIPE (13) is back to default');
});

test('execvp of a missing program throws SyscallError execve ENOENT and leaves stdio as it was', () => {
  const flagsBefore = readFileSync('/proc/self/fdinfo/1', 'utf8');
  assert.throws(
    () => execvp('numapol-no-such-program', ['numapol-no-such-program']),
    (e: unknown) =>
      e instanceof SyscallError && e.syscall === 'execve' && e.errnoName === 'ENOENT' &&
      e.message.startsWith('execve (numapol-no-such-program): ENOENT: the program was not found in PATH'),
  );
  const flagsLine = (s: string) => s.split('\n').find((l) => l.startsWith('flags:'));
  assert.equal(flagsLine(readFileSync('/proc/self/fdinfo/1', 'utf8')), flagsLine(flagsBefore));
});

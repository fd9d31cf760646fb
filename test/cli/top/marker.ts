/**
 * A process `numapol top` must show: node under a name of its own (a symlink to node, so its comm
 * is the link's name) that fills `mib` MiB and sleeps. Large enough to be among the largest
 * processes of a machine running tests.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Marker {
  readonly pid: number;
  /** Its /proc/PID/comm: "nptop-" and five digits. */
  readonly comm: string;
  readonly stop: () => void;
}

export async function startMarker(mib = 200): Promise<Marker> {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-top-marker-'));
  const comm = `nptop-${String(process.pid % 100000).padStart(5, '0')}`;
  const bin = join(dir, comm);
  symlinkSync(process.execPath, bin);
  const script = `const b = Buffer.alloc(${mib} * 1048576, 1); process.stdout.write('ready\\n'); setInterval(() => b[0]++, 1 << 30);`;
  const child = spawn(bin, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const [chunk] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => [undefined])])) as [Buffer | undefined];
  if (chunk === undefined || !chunk.toString().includes('ready') || child.pid === undefined) {
    stop();
    throw new Error(`the marker process ${comm} did not start`);
  }
  return { pid: child.pid, comm, stop };
}

/** Starts test/targets/migrate-writer.c and talks to it: ready line, stop, verification. */
import { spawn, type ChildProcess } from 'node:child_process';
import { buildTarget } from './build.js';

export interface Writer {
  readonly pid: number;
  readonly addr: bigint;
  readonly len: bigint;
  readonly child: ChildProcess;
  /** Stops the writer thread and returns its verification line ("verify ok ..." or "verify bad ..."). */
  stop(): Promise<string>;
  kill(): void;
}

/**
 * Runs `migrate-writer KIND MIB [FILE]`, optionally under a wrapper command (e.g. ['numactl',
 * '--preferred=0']), and waits for its ready line.
 */
export async function startWriter(kind: string, mib: number, opts: { file?: string; wrap?: string[]; name?: string } = {}): Promise<Writer> {
  const bin = buildTarget(opts.name ?? 'migrate-writer');
  const args = [kind, String(mib), ...(opts.file === undefined ? [] : [opts.file])];
  const wrap = opts.wrap ?? [];
  const child = wrap.length > 0 ? spawn(wrap[0]!, [...wrap.slice(1), bin, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  // 'close', not 'exit': a child's last lines can still be in the pipe when it has exited.
  let closed = false;
  child.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (re: RegExp, ms: number): Promise<RegExpExecArray> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (closed) throw new Error(`migrate-writer exited (${child.exitCode ?? child.signalCode}): ${out}`);
      if (Date.now() > end) throw new Error(`migrate-writer: timed out waiting for ${re}: ${out}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  const m = await waitFor(/^ready (\d+) ([0-9a-f]+) (\d+)$/m, 120_000);
  return {
    pid: Number(m[1]),
    addr: BigInt(`0x${m[2]}`),
    len: BigInt(m[3]!),
    child,
    async stop() {
      child.stdin!.write('stop\n');
      const v = await waitFor(/^(verify .*)$/m, 120_000);
      await waitFor(/^done$/m, 30_000);
      return v[1]!;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
